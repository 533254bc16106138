// `endhost fetch --page URL --mode …`: the textbook's comparison of HTTP connection strategies made
// measurable. Fetches the base HTML, then every object it references on the same server (images, scripts,
// stylesheets, icons), and reports TCP connections opened, requests and time, in text or JSON.
//   non-persistent  one TCP connection per object, one after the other (2 RTTs per object)
//   persistent      one connection kept open for every object (1 RTT per object after the first)
//   parallel=N      non-persistent, but up to N connections at once (the textbook's parallel connections)
#pragma once

#include <ostream>

#include "core/asio.hpp"
#include "http/client/fetch.hpp"

namespace endhost::http {

awaitable<int> run_page(const FetchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace endhost::http
