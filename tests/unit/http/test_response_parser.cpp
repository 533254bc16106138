// ResponseParser (client and proxy side): status line, and body framing per RFC 9112 §6.3 given the method.
#include <gtest/gtest.h>

#include "http/response_parser.hpp"
#include "http_test_util.hpp"

namespace endhost::http {
namespace {

using test::parse_response;

TEST(ResponseParser, StatusLine) {
  ResponseParser p;
  auto step = p.parse_head("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(step);
  EXPECT_EQ(step->progress, Progress::complete);
  EXPECT_EQ(p.head().status, Status::not_found);
  EXPECT_EQ(p.head().reason, "Not Found");
  EXPECT_EQ(p.head().version, http11);
  EXPECT_TRUE(p.done());
}

TEST(ResponseParser, EmptyReasonWithOrWithoutSpace) {
  for (std::string_view wire : {"HTTP/1.1 204 \r\n\r\n", "HTTP/1.1 204\r\n\r\n"}) {
    ResponseParser p;
    ASSERT_TRUE(p.parse_head(wire)) << wire;
    EXPECT_EQ(p.head().reason, "");
  }
}

TEST(ResponseParser, MalformedStatusLinesAre502) {
  for (std::string_view wire :
       {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1 099 X\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP/1.1 200 OK\nX: y\r\n\r\n",
        "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nX : y\r\n\r\n", "HTTP/1.1 200 OK\r\nX: y\r\n z\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\n\r\n"}) {
    auto r = parse_response(wire);
    ASSERT_FALSE(r) << wire;
    EXPECT_EQ(r.error().status, Status::bad_gateway) << wire;
    EXPECT_TRUE(r.error().must_close) << wire;
  }
  auto r = parse_response("HTTP/2.0 200 OK\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported_version);
}

// RFC 9112 §6.3 item 1: HEAD, 1xx, 204 and 304 have no content whatever the fields say.
TEST(ResponseParser, Rfc9110_15_StatusesPast599AreKeptForTheCallerToTreatAs5xx) {
  ResponseParser p;
  auto step = p.parse_head("HTTP/1.1 999 Weird\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(step);
  EXPECT_EQ(to_int(p.head().status), 999u);
  EXPECT_EQ(p.head().reason, "Weird");
}

TEST(ResponseFraming, NoBodyCases) {
  struct Case {
    Method method;
    std::string_view wire;
  };
  for (const Case& c : {Case{Method::head, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"},
                        Case{Method::head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
                        Case{Method::get, "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"},
                        Case{Method::get, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"},
                        Case{Method::get, "HTTP/1.1 100 Continue\r\n\r\n"}}) {
    ResponseParser p(Limits::for_responses(), c.method);
    auto step = p.parse_head(c.wire);
    ASSERT_TRUE(step) << c.wire;
    EXPECT_EQ(p.head().framing.kind, BodyKind::none) << c.wire;
    EXPECT_TRUE(p.done());
  }
}

TEST(ResponseFraming, InterimThenFinalResponse) {
  const std::string_view wire = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ResponseParser p(Limits::for_responses(), Method::post);
  auto interim = p.parse_head(wire);
  ASSERT_TRUE(interim);
  EXPECT_EQ(p.head().status, Status::continue_);
  p.reset(Method::post);
  auto final_head = p.parse_head(wire.substr(interim->consumed));
  ASSERT_TRUE(final_head);
  EXPECT_EQ(p.head().status, Status::ok);
  auto body = p.parse_body(wire.substr(interim->consumed + final_head->consumed));
  ASSERT_TRUE(body);
  EXPECT_EQ(body->data, "ok");
  EXPECT_TRUE(body->done);
}

// Item 2: a 2xx to CONNECT (and 101) turns the connection into a tunnel.
TEST(ResponseFraming, ConnectAndUpgradeBecomeTunnels) {
  ResponseParser p(Limits::for_responses(), Method::connect);
  ASSERT_TRUE(p.parse_head("HTTP/1.1 200 Connection established\r\nContent-Length: 5\r\n\r\n"));
  EXPECT_EQ(p.head().framing.kind, BodyKind::tunnel);
  EXPECT_FALSE(p.head().keep_alive);
  ResponseParser p407(Limits::for_responses(), Method::connect);
  ASSERT_TRUE(p407.parse_head("HTTP/1.1 407 Auth\r\nContent-Length: 5\r\n\r\n"));
  EXPECT_EQ(p407.head().framing, (Framing{BodyKind::length, 5}));
  ResponseParser p101;
  ASSERT_TRUE(p101.parse_head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"));
  EXPECT_EQ(p101.head().framing.kind, BodyKind::tunnel);
}

// Items 3-4: chunked final → chunked; other final coding → until close; TE with CL → refused.
TEST(ResponseFraming, TransferEncoding) {
  auto r = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.body, "abc");
  r = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nrest of stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.body, "rest of stream");
  auto bad = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::te_and_cl);
  EXPECT_EQ(bad.error().status, Status::bad_gateway);
  bad = parse_response("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::te_in_http10);
  bad = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n");
  ASSERT_FALSE(bad);
}

// Item 5: Content-Length; invalid → unrecoverable error.
TEST(ResponseFraming, ContentLength) {
  auto r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.body, "hello");
  for (std::string_view cl : {"5, 6", "+5", "-1", "abc"}) {
    auto bad = parse_response("HTTP/1.1 200 OK\r\nContent-Length: " + std::string(cl) + "\r\n\r\nhello");
    ASSERT_FALSE(bad) << cl;
    EXPECT_EQ(bad.error().code, Errc::bad_content_length);
  }
}

TEST(ResponseFraming, TruncatedBodyIsAnError) {
  ResponseParser p;
  ASSERT_TRUE(p.parse_head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
  ASSERT_TRUE(p.parse_body("hel"));
  auto eof = p.on_eof();
  ASSERT_FALSE(eof);
  EXPECT_EQ(eof.error().code, Errc::unexpected_eof);
  EXPECT_EQ(eof.error().status, Status::bad_gateway);
}

// Item 8: no framing fields → the body runs until the server closes.
TEST(ResponseFraming, UntilCloseEndsAtEof) {
  ResponseParser p;
  ASSERT_TRUE(p.parse_head("HTTP/1.1 200 OK\r\n\r\n"));
  EXPECT_EQ(p.head().framing.kind, BodyKind::until_close);
  EXPECT_FALSE(p.head().keep_alive);
  auto b = p.parse_body("some bytes");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data, "some bytes");
  EXPECT_FALSE(b->done);
  ASSERT_TRUE(p.on_eof());
  EXPECT_TRUE(p.done());
}

TEST(ResponseFraming, BodyLimitApplies) {
  Limits l = Limits::for_responses();
  l.max_body_size = 4;
  auto r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Method::get, l);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::body_too_large);
  r = parse_response("HTTP/1.1 200 OK\r\n\r\nhello", Method::get, l);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::body_too_large);
}

TEST(ResponseParser, KeepAlive) {
  struct Case {
    std::string_view wire;
    bool keep_alive;
  };
  for (const Case& c :
       {Case{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
        Case{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false},
        Case{"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
        Case{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true}}) {
    ResponseParser p;
    ASSERT_TRUE(p.parse_head(c.wire));
    EXPECT_EQ(p.head().keep_alive, c.keep_alive) << c.wire;
  }
}

TEST(ResponseParser, LimitsApply) {
  Limits l = Limits::for_responses();
  l.max_fields = 1;
  auto r = parse_response("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", Method::get, l);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_many_fields);
  EXPECT_EQ(r.error().status, Status::bad_gateway);
}

const std::string_view kValidResponses[] = {
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=1\r\nhello\r\n1\r\n!\r\n0\r\nT: 1\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
    "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
};

TEST(ParseGrind, ResponsesAtEverySplitPoint) {
  for (std::string_view wire : kValidResponses) {
    auto whole = parse_response(wire);
    ASSERT_TRUE(whole) << wire;
    for (std::size_t cut = 1; cut < wire.size(); ++cut) {
      ResponseParser p;
      auto split = test::parse_pieces<ResponseParser, Response>(p, test::split_at(wire, {cut}));
      ASSERT_TRUE(split) << "cut " << cut << ": " << wire;
      EXPECT_EQ(split->message, whole->message);
      EXPECT_EQ(split->trailers, whole->trailers);
    }
    ResponseParser p;
    auto bytes = test::parse_pieces<ResponseParser, Response>(p, test::bytewise(wire));
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->message, whole->message);
  }
}

}  // namespace
}  // namespace endhost::http
