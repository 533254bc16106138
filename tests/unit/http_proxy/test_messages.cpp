// The messages the proxy writes (messages.hpp): what it forwards upstream of the client's request, and the
// framing fields it puts on responses.
#include "http/proxy/messages.hpp"

#include <gtest/gtest.h>

#include <string>

namespace endhost::http::proxy {
namespace {

Route route_to(std::string host) {
  Route r;
  r.target = *parse_url("http://" + host + "/p");
  r.upstream_host = host;
  r.upstream_port = 80;
  r.host_header = host;
  return r;
}

// Issue 18: back ends that map '_' to '-' would see "Transfer_Encoding" as framing; dropped by default.
TEST(UpstreamRequest, FieldNamesWithUnderscoresAreDroppedUnlessKept) {
  const FieldView fields[] = {{"Transfer_Encoding", "chunked"}, {"Content_Length", "5"}, {"X-Ok", "1"}};
  Route route = route_to("a.test");
  UpstreamRequest up;
  up.method = "GET";
  up.route = &route;
  up.client_fields = FieldsView(fields);
  std::string out;
  append_upstream_request(out, up);
  EXPECT_EQ(out.find("_"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Ok: 1\r\n"), std::string::npos) << out;
  route.keep_underscore_fields = true;
  out.clear();
  append_upstream_request(out, up);
  EXPECT_NE(out.find("Transfer_Encoding: chunked\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Content_Length: 5\r\n"), std::string::npos) << out;
}

// RFC 9110 §7.6.2: the proxy's decremented Max-Forwards replaces the client's.
TEST(UpstreamRequest, MaxForwardsIsReplaced) {
  const FieldView fields[] = {{"Max-Forwards", "5"}};
  Route route = route_to("a.test");
  UpstreamRequest up;
  up.method = "OPTIONS";
  up.route = &route;
  up.client_fields = FieldsView(fields);
  up.max_forwards = 4;
  std::string out;
  append_upstream_request(out, up);
  EXPECT_EQ(out.find("Max-Forwards: 5"), std::string::npos) << out;
  EXPECT_NE(out.find("Max-Forwards: 4\r\n"), std::string::npos) << out;
}

// RFC 9110 §8.6: a 204 never carries Content-Length, even when the origin's did.
TEST(DownstreamHead, NoContentHasNoContentLength) {
  const FieldView fields[] = {{"Content-Length", "0"}, {"X-A", "b"}};
  DownstreamHead h;
  h.status = Status::no_content;
  h.fields = FieldsView(fields);
  h.has_body = false;
  h.length = 0;
  std::string out;
  append_downstream_head(out, h);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  EXPECT_NE(out.find("X-A: b\r\n"), std::string::npos) << out;
}

TEST(SimpleResponse, ExtraFieldsAreAdded) {
  std::string out;
  append_simple_response(out, Status::method_not_allowed, "no\n", true, "1.1 e", {}, {}, false, 0,
                         "Allow: GET\r\n");
  EXPECT_NE(out.find("\r\nAllow: GET\r\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace endhost::http::proxy
