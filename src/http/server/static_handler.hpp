// Internal to the web server: GET and HEAD of files and directories under a site's root (the static origin
// of the section 2): directory redirects and indexes, precompressed siblings, conditional requests,
// ranges, and the choice between copying a small file into the response buffer and sendfile(2).
#pragma once

#include "http/server/exchange.hpp"

namespace endhost::web {

void serve_static(RequestContext& rq, Reply& reply);

}  // namespace endhost::web
