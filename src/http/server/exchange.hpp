// Internal to the web server: one request as the handlers see it. Handlers describe the response in
// work.reply (exchange_types.hpp: a ResponseHead and the body; small bodies in work.body) and never write
// protocol bytes: the connection serializes the description afterwards.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string_view>

#include "http/request_parser.hpp"
#include "http/server/exchange_types.hpp"
#include "http/server/server_state.hpp"
#include "http/server/url_path.hpp"
#include "http/status.hpp"

namespace endhost::web {

struct RequestContext {
  RequestContext(ServerState& s, LoopState& l, Work& w, const http::RequestHead& h, std::time_t t)
      : server(s), loop(l), work(w), head(h), now(t), date(l.date.get(t)) {}

  ServerState& server;
  LoopState& loop;
  Work& work;
  const http::RequestHead& head;
  const Site* site = nullptr;  // nullptr: no root serves this host
  std::string_view path;       // as sent, before decoding; "/" when the target had none
  std::string_view query;
  bool has_query = false;
  PathInfo path_info;  // valid when the path decoded (work.local holds it)
  std::time_t now;
  std::string_view date;        // IMF-fixdate of `now`, from the loop's cache
  std::string_view set_cookie;  // the Set-Cookie value every response to this request carries ("": none)
  // set_cookie is a freshly minted cookie: the response is this visitor's alone, so shared caches must not
  // store it (RFC 9111 §5.2.2.7); begin_reply() adds Cache-Control: private. A handler that sends a stricter
  // directive (no-store) clears it first.
  bool private_response = false;
};

}  // namespace endhost::web
