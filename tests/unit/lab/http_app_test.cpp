// The dashboard's small HTTP server over a real loopback socket: keep-alive, a body read by Content-Length,
// the parser's errors answered with their status and a close, the body limit (413), HEAD without a body,
// and a streamed (chunked) response that ends when the handler returns.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <thread>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/tcp_server.hpp"
#include "lab/dashboard/http_app.hpp"

namespace endhost::lab {
namespace {

class EchoApp final : public HttpApp {
 public:
  awaitable<AppResponse> handle(const AppRequest& req) override {
    AppResponse r;
    if (req.path == "/stream") {
      r.content_type = "text/event-stream";
      r.stream = [](AppStream& s) -> awaitable<void> {
        co_await s.send("data: one\n\n");
        co_await s.send("data: two\n\n");
      };
      co_return r;
    }
    r.body = req.method + " " + req.path + " ?" + req.query + " [" + req.body + "]";
    co_return r;
  }
};

class HttpAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<core::TcpServer>(
        loops_, log_,
        core::TcpServerOptions{
            "test", 16, [this](core::Connection& c) { return serve_http_app(c, app_, config_); }, {}});
    ASSERT_TRUE(server_->listen({asio::ip::make_address("127.0.0.1"), 0}));
    port_ = server_->local_endpoints().front().port();
    server_->start();
    thread_ = std::thread([this] { loops_.run(); });
  }
  void TearDown() override {
    loops_.stop();
    thread_.join();
    server_.reset();
  }
  // Sends `request` and reads until the server closes or `until` appears.
  std::string exchange(const std::string& request, const std::string& until = "") {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(s, asio::buffer(request));
    std::string out;
    std::array<char, 4096> buf;
    for (;;) {
      boost::system::error_code ec;
      std::size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf.data(), n);
      if (ec || (!until.empty() && out.find(until) != std::string::npos)) break;
    }
    return out;
  }

  core::Logger log_{core::LogFormat::Text, core::LogLevel::Error, stderr};
  core::EventLoops loops_{1};
  EchoApp app_;
  HttpAppConfig config_;
  std::unique_ptr<core::TcpServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(HttpAppTest, KeepAliveAndBodies) {
  std::string out = exchange(
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_NE(out.find("GET /a ?x=1 []"), std::string::npos) << out;
  EXPECT_NE(out.find("POST /b ? [hello]"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  EXPECT_NE(out.find("Cache-Control: no-store"), std::string::npos);
}

TEST_F(HttpAppTest, ChunkedRequestBody) {
  std::string out = exchange(
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: "
      "close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_NE(out.find("[abc]"), std::string::npos) << out;
}

TEST_F(HttpAppTest, BadRequestIsAnsweredAndClosed) {
  std::string out = exchange("GET / HTTP/1.1\r\nHost: h\r\nBad Field: x\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
}

TEST_F(HttpAppTest, BodyOverTheLimitIs413) {
  std::string out = exchange("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
}

TEST_F(HttpAppTest, HeadHasNoBody) {
  std::string out = exchange("HEAD /h HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4), "");
}

TEST_F(HttpAppTest, StreamIsChunkedAndEnds) {
  std::string out = exchange("GET /stream HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos) << out;
  EXPECT_NE(out.find("data: one"), std::string::npos);
  EXPECT_NE(out.find("data: two"), std::string::npos);
  EXPECT_NE(out.find("\r\n0\r\n\r\n"), std::string::npos);  // the last chunk, then the server closes
}

// The connection runs on http::ServerDriver: pipelined requests in one write are answered in order; a
// request after "Connection: close" is never answered; HTTP/1.0 closes after one answer.
TEST_F(HttpAppTest, PipelinedRequestsAndTheCloseRules) {
  std::string out = exchange(
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
      "GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
      "GET /4 HTTP/1.1\r\nHost: h\r\n\r\n");
  const auto one = out.find("GET /1 ? []"), two = out.find("POST /2 ? [ab]"), three = out.find("GET /3 ? []");
  ASSERT_NE(three, std::string::npos) << out;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  EXPECT_EQ(out.find("GET /4"), std::string::npos) << out;
  out = exchange("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
  EXPECT_NE(out.find("GET /a ? []"), std::string::npos) << out;
  EXPECT_EQ(out.find("GET /b"), std::string::npos) << out;
}

// Expect: 100-continue: the 100 comes before the body is read, and the final answer after it.
TEST_F(HttpAppTest, ExpectContinueGetsA100First) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(s, asio::buffer(std::string(
                     "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"
                     "Connection: close\r\n\r\n")));
  std::string got(25, '\0');
  asio::read(s, asio::buffer(got));
  EXPECT_EQ(got, "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(s, asio::buffer(std::string("xyz")));
  std::string out;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(out), ec);
  EXPECT_NE(out.find("POST /e ? [xyz]"), std::string::npos) << out;
}

}  // namespace
}  // namespace endhost::lab
