// Serializer: exact bytes, the chunked encoder, refusal of values that would split a message, and Beast's
// design property parse(serialize(m)) == m.
#include <gtest/gtest.h>

#include "http/serializer.hpp"
#include "http_test_util.hpp"

namespace endhost::http {
namespace {

TEST(Serializer, StatusLineAndFieldsAppend) {
  std::string out = "prefix|";
  append_status_line(out, http11, Status::not_found);
  append_field(out, "Content-Length", "0");
  append_end_of_head(out);
  EXPECT_EQ(out, "prefix|HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  out.clear();
  append_status_line(out, http10, static_cast<Status>(299));
  EXPECT_EQ(out, "HTTP/1.0 299 \r\n");  // unregistered code: empty reason, SP kept (RFC 9112 §4)
}

TEST(Serializer, RequestLine) {
  std::string out;
  ASSERT_TRUE(serialize(out, Request{"GET", "/x?y", http11, Fields{{"Host", "a"}}, ""}));
  EXPECT_EQ(out, "GET /x?y HTTP/1.1\r\nHost: a\r\n\r\n");
}

// RFC 9112 §7.1
TEST(ChunkedEncoder, ChunksAndLastChunk) {
  std::string out;
  append_chunk(out, "hello");
  append_chunk(out, "");  // must not end the body
  append_chunk(out, std::string(26, 'x'));
  append_last_chunk(out, Fields{{"X-Sum", "1"}});
  EXPECT_EQ(out, "5\r\nhello\r\n1a\r\n" + std::string(26, 'x') + "\r\n0\r\nX-Sum: 1\r\n\r\n");
}

// Response splitting: a value from an application must never become a second field or message.
TEST(Serializer, RefusesValuesThatWouldSplitTheMessage) {
  std::string out;
  Response r;
  r.fields.add("Location", "/a\r\nSet-Cookie: x=1");
  EXPECT_EQ(serialize(out, r).error(), Errc::bad_field_value);
  r.fields = Fields{{"Bad Name", "x"}};
  EXPECT_EQ(serialize(out, r).error(), Errc::bad_field_name);
  r.fields = Fields{{"X", std::string("a\0b", 3)}};
  EXPECT_EQ(serialize(out, r).error(), Errc::bad_field_value);
  r.fields = {};
  r.reason = "OK\r\nX: y";
  EXPECT_FALSE(serialize(out, r));
  Request q;
  q.target = "/a b";
  EXPECT_EQ(serialize(out, q).error(), Errc::bad_target);
  q.target = "/";
  q.method = "GE T";
  EXPECT_EQ(serialize(out, q).error(), Errc::bad_method);
  EXPECT_TRUE(out.empty());  // nothing appended on error
}

TEST(RoundTrip, Requests) {
  const Request requests[] = {
      {"GET", "/", http11, Fields{{"Host", "example.com"}}, ""},
      {"POST", "/submit?a=1", http11,
       Fields{{"Host", "h"},
              {"Content-Type", "text/plain"},
              {"Content-Length", "11"},
              {"X-Dup", "1"},
              {"x-dup", "2"}},
       "hello world"},
      {"PUT", "/c", http11, Fields{{"Host", "h"}, {"Transfer-Encoding", "chunked"}}, "chunked body"},
      {"GET", "/old", http10, Fields{{"User-Agent", "curl/8 (x; \"y\")"}}, ""},
      {"BREW", "/pot", http11, Fields{{"Host", "h"}, {"Empty", ""}}, ""},
      {"OPTIONS", "*", http11, Fields{{"Host", "h"}}, ""},
      {"CONNECT", "example.com:443", http11, Fields{{"Host", "example.com:443"}}, ""},
      {"GET", "http://example.com/p", http11, Fields{{"Host", "example.com"}}, ""},
  };
  for (const Request& m : requests) {
    std::string wire;
    ASSERT_TRUE(serialize(wire, m));
    auto parsed = test::parse_request(wire);
    ASSERT_TRUE(parsed) << wire << describe(parsed.error().code);
    EXPECT_EQ(parsed->message, m) << wire;
    EXPECT_EQ(parsed->leftover, 0u);
  }
}

TEST(RoundTrip, Responses) {
  const std::pair<Method, Response> responses[] = {
      {Method::get, {Status::ok, "OK", http11, Fields{{"Content-Length", "5"}}, "hello"}},
      {Method::get, {Status::not_found, "Nope", http11, Fields{{"Transfer-Encoding", "chunked"}}, "gone"}},
      {Method::get,
       {Status::no_content, "No Content", http11, Fields{{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}}, ""}},
      {Method::head, {Status::ok, "OK", http11, Fields{{"Content-Length", "1000"}}, ""}},
      {Method::get, {Status::ok, "OK", http10, Fields{{"Content-Type", "text/plain"}}, "until close"}},
      {Method::get, {static_cast<Status>(299), "", http11, Fields{{"Content-Length", "0"}}, ""}},
  };
  for (const auto& [method, m] : responses) {
    std::string wire;
    ASSERT_TRUE(serialize(wire, m));
    auto parsed = test::parse_response(wire, method);
    ASSERT_TRUE(parsed) << wire;
    EXPECT_EQ(parsed->message, m) << wire;
  }
}

}  // namespace
}  // namespace endhost::http
