#include "http/proxy/messages.hpp"

#include <algorithm>

#include "http/cache/hop_by_hop.hpp"
#include "http/serializer.hpp"

namespace endhost::http::proxy {

namespace {

// The preconditions the cache replaces with its own validators (RFC 9111 §4.3.1). If-Range stays with the
// client's Range: the origin evaluates our If-None-Match first (a 304 if unchanged) and then the client's
// If-Range (the whole 200 if changed, RFC 9110 §13.2.2), so a resuming client never gets a part of a newer
// representation spliced onto its older bytes.
bool is_conditional(std::string_view name) {
  return iequals(name, "if-none-match") || iequals(name, "if-modified-since") || iequals(name, "if-match") ||
         iequals(name, "if-unmodified-since");
}

template <class FieldRange>
void copy_response_fields(std::string& out, const FieldRange& fields, const DownstreamHead& h,
                          bool& has_date) {
  const cache::ConnectionOptions options(fields);
  for (const auto& f : fields) {
    const std::string_view name = f.name;
    if (options.drop(name)) continue;
    // Framing is ours to decide; Age is recomputed when we serve from the cache.
    if (iequals(name, "content-length")) continue;
    if (h.age && iequals(name, "age")) continue;
    if (h.omit &&
        std::any_of(h.omit->begin(), h.omit->end(), [&](const std::string& o) { return iequals(o, name); }))
      continue;
    if (iequals(name, "date")) has_date = true;
    append_field(out, name, f.value);
  }
}

}  // namespace

void append_upstream_request(std::string& out, const UpstreamRequest& r) {
  append_request_line(out, r.method, r.route->target.path_query, http11);
  append_field(out, "Host", r.route->host_header);
  const cache::ConnectionOptions options(r.client_fields);
  for (const FieldView& f : r.client_fields) {
    if (options.drop(f.name)) continue;
    // Host comes from the route; the body is re-framed below; we already answered any 100-continue.
    if (iequals(f.name, "host") || iequals(f.name, "content-length") || iequals(f.name, "expect")) continue;
    // "Transfer_Encoding" is a different field to us, but back ends that map '_' to '-' (CGI, PHP, some
    // frameworks) would see framing or Host fields we never checked; nginx drops them too.
    if (!r.route->keep_underscore_fields && f.name.find('_') != std::string_view::npos) continue;
    if (r.max_forwards && iequals(f.name, "max-forwards")) continue;
    if (r.drop_conditionals && is_conditional(f.name)) continue;
    if (r.drop_range && (iequals(f.name, "range") || iequals(f.name, "if-range"))) continue;
    append_field(out, f.name, f.value);
  }
  if (r.extra) append_fields(out, *r.extra);
  if (r.max_forwards) append_field(out, "Max-Forwards", std::to_string(*r.max_forwards));
  // RFC 9110 §7.6.3: each proxy appends its own Via entry.
  if (!r.via.empty()) append_field(out, "Via", r.via);
  // Edge Architecture §2.2: each surrogate adds its own capabilities (a list split over lines is one list).
  if (!r.surrogate_capability.empty()) append_field(out, "Surrogate-Capability", r.surrogate_capability);
  // RFC 9110 §8.6: a request with content, or a method that expects it, states its length.
  const Method m = method_from_token(r.method);
  if (!r.body.empty() || m == Method::post || m == Method::put || m == Method::patch)
    append_field(out, "Content-Length", std::to_string(r.body.size()));
  append_end_of_head(out);
  out += r.body;
}

HeadResult append_downstream_head(std::string& out, const DownstreamHead& h) {
  HeadResult result{BodyFraming::none, h.keep_alive};
  append_status_line(out, http11, h.status, h.reason);
  bool has_date = false;
  if (h.owned_fields)
    copy_response_fields(out, *h.owned_fields, h, has_date);
  else
    copy_response_fields(out, h.fields, h, has_date);
  if (!has_date && !h.date.empty()) append_field(out, "Date", h.date);
  if (h.age) append_field(out, "Age", std::to_string(*h.age));
  if (!h.via.empty()) append_field(out, "Via", h.via);
  if (!h.cache_status.empty()) append_field(out, "Cache-Status", h.cache_status);
  if (h.status == Status::no_content) {
    // RFC 9110 §8.6: never Content-Length in a 204, whatever the origin sent (its own is dropped above).
  } else if (!h.has_body) {
    // HEAD (and 304) responses keep the length the full response would have had (RFC 9110 §8.6).
    if (h.length) append_field(out, "Content-Length", std::to_string(*h.length));
  } else if (h.length) {
    result.framing = BodyFraming::length;
    append_field(out, "Content-Length", std::to_string(*h.length));
  } else if (h.client_version >= http11) {
    result.framing = BodyFraming::chunked;
    append_field(out, "Transfer-Encoding", "chunked");
  } else {
    // An HTTP/1.0 client cannot parse chunked (RFC 9112 §6.1): the end of the body is the end of the
    // connection.
    result.framing = BodyFraming::close;
    result.keep_alive = false;
  }
  if (!result.keep_alive)
    append_field(out, "Connection", "close");
  else if (h.client_version < http11)
    append_field(out, "Connection", "keep-alive");
  append_end_of_head(out);
  return result;
}

void append_simple_response(std::string& out, Status status, std::string_view body, bool keep_alive,
                            std::string_view via, std::string_view cache_status, std::string_view date,
                            bool head_only, unsigned retry_after, std::string_view extra) {
  append_status_line(out, http11, status);
  if (!date.empty()) append_field(out, "Date", date);
  append_field(out, "Content-Type", "text/plain; charset=utf-8");
  append_field(out, "Content-Length", std::to_string(body.size()));
  append_field(out, "Cache-Control", "no-store");
  if (!via.empty()) append_field(out, "Via", via);
  if (!cache_status.empty()) append_field(out, "Cache-Status", cache_status);
  if (retry_after > 0) append_field(out, "Retry-After", std::to_string(retry_after));
  out += extra;
  if (!keep_alive) append_field(out, "Connection", "close");
  append_end_of_head(out);
  if (!head_only) out += body;
}

}  // namespace endhost::http::proxy
