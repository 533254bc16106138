// The server's hot path does not allocate: once a RequestParser exists, parsing heads and bodies (including
// chunked bodies with trailers) and reset() never call operator new. Counted by replacing operator new in
// this test binary only.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "http/date.hpp"
#include "http/request_parser.hpp"
#include "http/response_parser.hpp"
#include "http/serializer.hpp"

namespace {
std::atomic<long> g_allocations{0};  // test instrumentation only
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace endhost::http {
namespace {

TEST(Allocation, RequestParsingAllocatesNothingPerRequest) {
  const std::string wire =
      "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n"
      "Accept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n"
      "POST /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n"
      "PUT /f HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc";
  RequestParser parser;
  std::string response;
  response.reserve(4096);
  DateCache dates;
  const long before = g_allocations.load();
  std::size_t bytes = 0;
  for (int round = 0; round < 1000; ++round) {
    std::string_view buf = wire;
    while (!buf.empty()) {
      auto head = parser.parse_head(buf);
      ASSERT_TRUE(head);
      ASSERT_EQ(head->progress, Progress::complete);
      buf.remove_prefix(head->consumed);
      while (!parser.done()) {
        auto body = parser.parse_body(buf);
        ASSERT_TRUE(body);
        bytes += body->data.size();
        buf.remove_prefix(body->consumed);
      }
      response.clear();
      append_status_line(response, http11, Status::ok);
      append_field(response, "Date", dates.get(784111777 + round));
      append_field(response, "Content-Length", "0");
      append_end_of_head(response);
      parser.reset();
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(bytes, 8000u);
}

TEST(Allocation, ResponseParsingAllocatesNothingPerResponse) {
  const std::string_view wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
  ResponseParser parser;
  const long before = g_allocations.load();
  for (int round = 0; round < 1000; ++round) {
    parser.reset(Method::get);
    auto head = parser.parse_head(wire);
    ASSERT_TRUE(head);
    auto body = parser.parse_body(wire.substr(head->consumed));
    ASSERT_TRUE(body && body->done);
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace endhost::http
