// serialize_response (src/http/server_response.hpp): the one HTTP/1.1 framing of the small servers'
// protocol-independent answers: Date, Content-Length or chunked, HEAD and the statuses without content,
// Connection by the request's version, and the handler's framing fields dropped.
#include <gtest/gtest.h>

#include "http/response_parser.hpp"
#include "http/server_response.hpp"

namespace endhost::http {
namespace {

constexpr std::string_view kDate = "Fri, 04 Dec 2026 22:00:00 GMT";

ResponseFraming framing(bool keep_alive, Version version = http11, bool head_request = false) {
  ResponseFraming f;
  f.version = version;
  f.head_request = head_request;
  f.keep_alive = keep_alive;
  f.date = kDate;
  return f;
}

std::string frame(const ServerResponse& r, const ResponseFraming& f = framing(true)) {
  std::string out;
  serialize_response(out, r, f);
  return out;
}

ServerResponse text(std::string body, Status status = Status::ok) {
  ServerResponse r;
  r.status = status;
  r.fields.add("Server", "test");
  r.fields.add("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

TEST(ServerResponse, WholeBodyGetsContentLengthAndDate) {
  EXPECT_EQ(frame(text("hello")),
            "HTTP/1.1 200 OK\r\nDate: Fri, 04 Dec 2026 22:00:00 GMT\r\nServer: test\r\n"
            "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(ServerResponse, ParsesBackAsTheResponseItDescribes) {
  ServerResponse r = text("body bytes", Status::not_found);
  r.reason = "Nowhere";
  r.fields.add("X-Thing", "1");
  const std::string wire = frame(r);
  ResponseParser p;
  auto head = p.parse_head(wire);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(p.head().status, Status::not_found);
  EXPECT_EQ(p.head().reason, "Nowhere");
  EXPECT_EQ(p.head().fields.get("X-Thing"), "1");
  EXPECT_EQ(p.head().framing.length, 10u);
  EXPECT_EQ(wire.substr(wire.size() - 10), "body bytes");
}

TEST(ServerResponse, HeadRequestGetsTheLengthButNoBody) {
  const std::string wire = frame(text("hello"), framing(true, http11, true));
  EXPECT_NE(wire.find("Content-Length: 5\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.substr(wire.size() - 4), "\r\n\r\n") << wire;
}

TEST(ServerResponse, StatusesWithoutContentHaveNoLengthNorBody) {
  for (Status s : {Status::no_content, Status::not_modified, Status::continue_}) {
    const std::string wire = frame(text("ignored", s));
    EXPECT_EQ(wire.find("Content-Length"), std::string::npos) << wire;
    EXPECT_EQ(wire.find("ignored"), std::string::npos) << wire;
    EXPECT_EQ(wire.substr(wire.size() - 4), "\r\n\r\n") << wire;
  }
}

TEST(ServerResponse, CloseAndTheVersionsKeepAliveDefault) {
  ServerResponse r = text("x");
  r.close = true;
  EXPECT_NE(frame(r).find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(frame(text("x"), framing(false)).find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(frame(text("x")).find("Connection:"), std::string::npos) << "1.1 persists by default";
  // RFC 9112 §9.3: a 1.0 client that asked for keep-alive hears that it got it.
  EXPECT_NE(frame(text("x"), framing(true, http10)).find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(ServerResponse, StreamIsChunkedForHttp11AndCloseDelimitedForHttp10) {
  ServerResponse r = text("");
  r.streams = true;
  const std::string h11 = frame(r);
  EXPECT_NE(h11.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << h11;
  EXPECT_EQ(h11.find("Content-Length"), std::string::npos) << h11;
  EXPECT_NE(h11.find("Connection: close\r\n"), std::string::npos) << "a stream ends the connection";
  const std::string h10 = frame(r, framing(true, http10));
  EXPECT_EQ(h10.find("Transfer-Encoding"), std::string::npos) << "RFC 9112 §6.1: no chunked for 1.0";
  EXPECT_NE(h10.find("Connection: close\r\n"), std::string::npos) << h10;
}

TEST(ServerResponse, HandlersFramingFieldsAreDroppedAndTheirDateKept) {
  ServerResponse r = text("abc");
  r.fields.add("Content-Length", "99");
  r.fields.add("Transfer-Encoding", "chunked");
  r.fields.add("connection", "keep-alive");
  r.fields.add("Date", "Thu, 01 Jan 1970 00:00:00 GMT");
  const std::string wire = frame(r, framing(false));
  EXPECT_EQ(wire.find("99"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("chunked"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("keep-alive"), std::string::npos) << wire;
  EXPECT_EQ(wire.find(kDate), std::string::npos) << wire;
  EXPECT_NE(wire.find("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("Content-Length: 3\r\nConnection: close\r\n\r\nabc"), std::string::npos) << wire;
}

}  // namespace
}  // namespace endhost::http
