// Internal to the web server: GET and HEAD of files and directories under a site's root (the static origin
// of the section 2): directory redirects and indexes, precompressed siblings, conditional requests,
// ranges, and the choice between copying a small file into the response buffer and sendfile(2).
#pragma once

#include "http/server/exchange.hpp"

namespace endhost::web {

void serve_static(RequestContext& rq, Reply& reply);

// OPTIONS of a path (RFC 9110 §9.3.7): 200 with `allow` when the resource exists, else the status GET would
// get (404, 403), so that OPTIONS does not claim methods for what is not there.
void serve_options(RequestContext& rq, Reply& reply, std::string_view allow);

}  // namespace endhost::web
