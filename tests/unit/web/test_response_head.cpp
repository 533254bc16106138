// ResponseHead (the protocol-independent description of a response) and its HTTP/1.1 serialization: the
// bytes must be exactly what the server has always sent, field order and casing included.
#include <gtest/gtest.h>

#include <string>

#include "http/server/http1_response.hpp"
#include "http/server/response_head.hpp"

namespace endhost::web {
namespace {

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

TEST(ResponseHead, FieldsInOrder) {
  ResponseHead h;
  h.reset(http::Status::not_found);
  h.add("Content-Type", "text/plain");
  h.add("Content-Range", "bytes ", "0-1/2");
  h.add("ETag", "\"x\"");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.status, http::Status::not_found);
  EXPECT_EQ(h.field(0).name, "Content-Type");
  EXPECT_EQ(h.field(0).value, "text/plain");
  EXPECT_EQ(h.field(1).name, "Content-Range");
  EXPECT_EQ(h.field(1).value, "bytes 0-1/2");
  EXPECT_EQ(h.field(2).value, "\"x\"");
  EXPECT_EQ(h.length(), ResponseHead::Length::none);
}

TEST(ResponseHead, EmptyValueAndReset) {
  ResponseHead h;
  h.add("A", "");
  h.add("B", "b");
  h.set_content_length(7);
  EXPECT_EQ(h.field(0).value, "");
  EXPECT_EQ(h.field(1).value, "b");
  EXPECT_EQ(h.length_position(), 2u);
  h.reset();
  EXPECT_EQ(h.size(), 0u);
  EXPECT_EQ(h.status, http::Status::ok);
  EXPECT_EQ(h.length(), ResponseHead::Length::none);
}

TEST(Http1Response, LengthAtItsPlace) {
  ResponseHead h;
  h.add("Content-Type", "text/html");
  h.set_content_length(12);
  h.add("Accept-Ranges", "bytes");
  std::string out = "previous";  // pipelined responses before this one stay
  append_http1_head(out, h, kDate, true, http::http11);
  EXPECT_EQ(out,
            "previousHTTP/1.1 200 OK\r\nServer: endhost\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html\r\nContent-Length: 12\r\nAccept-Ranges: bytes\r\n\r\n");
}

TEST(Http1Response, LengthLastAndConnection) {
  ResponseHead h;
  h.reset(http::Status::ok);
  h.add("Allow", "GET");
  h.set_content_length(0);
  std::string out;
  append_http1_head(out, h, kDate, false, http::http11);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: endhost\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nAllow: GET\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
  out.clear();
  append_http1_head(out, h, kDate, true, http::http10);
  EXPECT_NE(out.find("Content-Length: 0\r\nConnection: keep-alive\r\n\r\n"), std::string::npos);
}

TEST(Http1Response, StreamedIsChunkedAndNoneHasNoLength) {
  ResponseHead h;
  h.add("Content-Encoding", "gzip");
  h.set_streamed();
  h.add("ETag", "W/\"x\"");
  std::string out;
  append_http1_head(out, h, kDate, true, http::http11);
  EXPECT_NE(out.find("Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nETag: W/\"x\"\r\n\r\n"),
            std::string::npos);
  h.reset(http::Status::not_modified);
  h.add("ETag", "\"x\"");
  out.clear();
  append_http1_head(out, h, kDate, true, http::http11);
  EXPECT_EQ(out,
            "HTTP/1.1 304 Not Modified\r\nServer: endhost\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "ETag: \"x\"\r\n\r\n");
}

TEST(Http1Response, Interim) {
  std::string out;
  append_http1_interim(out, http::Status::continue_);
  EXPECT_EQ(out, "HTTP/1.1 100 Continue\r\n\r\n");
}

}  // namespace
}  // namespace endhost::web
