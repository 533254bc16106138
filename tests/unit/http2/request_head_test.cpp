// build_request_head: an HTTP/2 field block becomes the RequestHead the web server's handlers take, and
// every malformed case of RFC 9113 §8.2-8.3 is refused with a reason.
#include <gtest/gtest.h>

#include <vector>

#include "http2/request_head.hpp"

namespace endhost::http2 {
namespace {

using Block = std::vector<http::FieldView>;

Block get(std::string_view path = "/index.html") {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", path}};
}

std::string_view refusal(const Block& block) {
  RequestStorage storage;
  http::RequestHead head;
  auto r = build_request_head(block, storage, head);
  return r ? std::string_view{} : r.error().reason;
}

TEST(Http2RequestHead, SimpleGet) {
  Block b = get();
  b.push_back({"accept", "*/*"});
  b.push_back({"user-agent", "curl"});
  RequestStorage storage;
  http::RequestHead head;
  auto r = build_request_head(b, storage, head);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.method_id, http::Method::get);
  EXPECT_EQ(head.target, "/index.html");
  EXPECT_EQ(head.target_form, http::TargetForm::origin);
  EXPECT_EQ(head.host, "example.com");
  EXPECT_EQ(head.version, kHttp2);
  ASSERT_EQ(head.fields.size(), 2u);
  EXPECT_EQ(head.fields.get("Accept"), "*/*");
  EXPECT_EQ(head.framing.kind, http::BodyKind::none);
}

TEST(Http2RequestHead, CookieCrumbsAreJoined) {  // §8.2.3
  Block b = get();
  b.push_back({"cookie", "a=1"});
  b.push_back({"accept", "text/html"});
  b.push_back({"cookie", "b=2"});
  RequestStorage storage;
  http::RequestHead head;
  ASSERT_TRUE(build_request_head(b, storage, head));
  EXPECT_EQ(head.fields.count("cookie"), 1u);
  EXPECT_EQ(head.fields.get("cookie"), "a=1; b=2");
  EXPECT_EQ(head.fields[0].name, "cookie");  // where the first crumb was
}

TEST(Http2RequestHead, ContentLengthBecomesFraming) {
  Block b = get();
  b[0].value = "PUT";
  b.push_back({"content-length", "12"});
  b.push_back({"content-length", "12"});
  RequestStorage storage;
  http::RequestHead head;
  auto r = build_request_head(b, storage, head);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value_or(0), 12u);
  EXPECT_EQ(head.framing.kind, http::BodyKind::length);
  EXPECT_EQ(head.framing.length, 12u);
}

TEST(Http2RequestHead, HostIsTheAuthorityWhenAbsent) {
  Block b = {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.example"}};
  RequestStorage storage;
  http::RequestHead head;
  ASSERT_TRUE(build_request_head(b, storage, head));
  EXPECT_EQ(head.host, "h.example");
  Block same = get();
  same.push_back({"host", "EXAMPLE.com"});
  EXPECT_EQ(refusal(same), "");
}

TEST(Http2RequestHead, OptionsAsteriskAndConnect) {
  Block o = get("*");
  o[0].value = "OPTIONS";
  RequestStorage storage;
  http::RequestHead head;
  ASSERT_TRUE(build_request_head(o, storage, head));
  EXPECT_EQ(head.target_form, http::TargetForm::asterisk);
  Block c = {{":method", "CONNECT"}, {":authority", "example.com:443"}};
  ASSERT_TRUE(build_request_head(c, storage, head));
  EXPECT_EQ(head.target, "example.com:443");
  EXPECT_EQ(head.target_form, http::TargetForm::authority);
}

TEST(Http2RequestHead, MalformedPseudoHeaders) {                       // §8.3
  EXPECT_NE(refusal({{":method", "GET"}, {":path", "/"}}), "");        // no :scheme
  EXPECT_NE(refusal({{":scheme", "https"}, {":path", "/"}}), "");      // no :method
  EXPECT_NE(refusal({{":method", "GET"}, {":scheme", "https"}}), "");  // no :path
  EXPECT_NE(refusal(get("")), "");
  EXPECT_NE(refusal(get("index.html")), "");
  EXPECT_NE(refusal(get("*")), "");  // * outside OPTIONS
  Block late = get();
  late.push_back({"accept", "*/*"});
  late.push_back({":path", "/again"});
  EXPECT_EQ(refusal(late), "pseudo-header field after a regular field");
  Block repeated = {{":method", "GET"}, {":method", "GET"}, {":scheme", "https"}, {":path", "/"}};
  EXPECT_EQ(refusal(repeated), "pseudo-header field repeated");
  Block status = get();
  status.insert(status.begin(), {":status", "200"});
  EXPECT_NE(refusal(status), "");
  Block protocol = get();
  protocol.insert(protocol.begin(), {":protocol", "websocket"});
  EXPECT_NE(refusal(protocol), "");
  EXPECT_NE(refusal({{":method", "CONNECT"}, {":authority", "a:1"}, {":path", "/"}}), "");
  EXPECT_NE(refusal({{":method", "CONNECT"}}), "");
}

TEST(Http2RequestHead, MalformedFields) {  // §8.2
  auto with = [](std::string_view name, std::string_view value) {
    Block b = get();
    b.push_back({name, value});
    return refusal(b);
  };
  EXPECT_NE(with("Accept", "x"), "");  // uppercase
  EXPECT_NE(with("bad name", "x"), "");
  EXPECT_NE(with("", "x"), "");
  EXPECT_NE(with("x", "a\r\nb"), "");
  EXPECT_NE(with("x", std::string_view("a\0b", 3)), "");
  EXPECT_NE(with("x", " padded"), "");
  EXPECT_NE(with("x", "padded\t"), "");
  EXPECT_EQ(with("x", ""), "");
  EXPECT_EQ(with("x", "inner space ok"), "");
  for (std::string_view n :
       {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
    EXPECT_EQ(with(n, "x"), "connection-specific field") << n;
  }
  EXPECT_EQ(with("te", "trailers"), "");
  EXPECT_NE(with("te", "gzip"), "");
  EXPECT_NE(with("content-length", "1x"), "");
  EXPECT_NE(with("content-length", ""), "");
  Block conflict = get();
  conflict.push_back({"content-length", "1"});
  conflict.push_back({"content-length", "2"});
  EXPECT_NE(refusal(conflict), "");
  EXPECT_EQ(with("host", "other.example"), "host differs from :authority");
}

TEST(Http2RequestHead, Trailers) {
  EXPECT_TRUE(check_trailers(Block{{"x-checksum", "abc"}}));
  EXPECT_FALSE(check_trailers(Block{{":path", "/"}}));
  EXPECT_FALSE(check_trailers(Block{{"X-Up", "1"}}));
  EXPECT_FALSE(check_trailers(Block{{"transfer-encoding", "chunked"}}));
}

}  // namespace
}  // namespace endhost::http2
