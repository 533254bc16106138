// ClientConnection against ServerConnection over an in-memory pipe: the two sides of this codebase must
// understand each other (requests, bodies both ways, interleaving, flow control past the first window).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "http2/client_connection.hpp"
#include "http2/server_connection.hpp"

namespace endhost::http2 {
namespace {

struct ServerSide : ConnectionHandler {
  ServerConnection* conn = nullptr;
  std::map<std::uint32_t, std::string> bodies;
  std::map<std::uint32_t, std::string> paths;
  std::vector<std::uint32_t> completed;
  std::size_t response_size = 0;  // per request: this many bytes of 'x' (0: echo the request body)

  void on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) override {
    paths[stream] = std::string(head.target);
    if (end_stream) respond(stream);
  }
  void on_data(std::uint32_t stream, std::string_view data, bool end_stream) override {
    bodies[stream].append(data);
    conn->release(stream, data.size());
    if (end_stream) respond(stream);
  }
  void on_reset(std::uint32_t, ErrorCode, bool) override {}
  void on_complete(std::uint32_t stream) override { completed.push_back(stream); }

  void respond(std::uint32_t stream) {
    const std::string path = paths[stream];
    const std::string body = path == "/echo" ? bodies[stream] : std::string(size_for(path), 'x');
    const std::string length = std::to_string(body.size());
    const http::FieldView fields[] = {
        {"Content-Type", "text/plain"}, {"Content-Length", length}, {"Connection", "keep-alive"}};
    ASSERT_TRUE(conn->submit_headers(stream, 200, fields, body.empty()));
    if (!body.empty()) {
      ASSERT_TRUE(conn->submit_data(stream, body, true));
    }
  }
  static std::size_t size_for(const std::string& path) { return path == "/big" ? 1 << 20 : 100; }
};

struct ClientSide : ClientHandler {
  std::map<std::uint32_t, int> status;
  std::map<std::uint32_t, std::vector<hpack::HeaderField>> fields;
  std::map<std::uint32_t, std::string> bodies;
  std::vector<std::uint32_t> finished;  // in the order their bodies ended

  void on_response(std::uint32_t stream, int st, std::span<const hpack::HeaderField> f, bool end) override {
    status[stream] = st;
    fields[stream].assign(f.begin(), f.end());
    if (end) finished.push_back(stream);
  }
  void on_data(std::uint32_t stream, std::string_view data, bool end) override {
    bodies[stream].append(data);
    if (end) finished.push_back(stream);
  }
  void on_reset(std::uint32_t stream, ErrorCode) override { finished.push_back(stream); }
};

class Http2Loopback : public ::testing::Test {
 protected:
  Http2Loopback()
      : server_conn(ConnectionConfig{}, server, core::Instant(core::Millis(1000))),
        client_conn(ClientConfig{}, client) {
    server.conn = &server_conn;
  }

  // Moves bytes both ways, in pieces of at most `chunk`, until neither side has anything to say.
  void pump(std::size_t chunk = 1 << 20) {
    for (int round = 0; round < 10000; ++round) {
      std::string c2s;
      client_conn.take_output(c2s);
      Output out;
      server_conn.take_output(out, chunk);
      ASSERT_TRUE(out.extents.empty());
      if (c2s.empty() && out.bytes.empty()) return;
      for (std::size_t i = 0; i < c2s.size(); i += chunk) {
        server_conn.receive(std::string_view(c2s).substr(i, chunk), core::Instant(core::Millis(1000)));
      }
      client_conn.receive(out.bytes);
    }
    FAIL() << "the two sides never went quiet";
  }

  std::uint32_t get(std::string_view path) {
    const hpack::FieldView pseudo[] = {
        {":method", "GET"}, {":scheme", "http"}, {":authority", "localhost"}, {":path", path}};
    const http::FieldView fields[] = {{"User-Agent", "test"}, {"Host", "localhost"}};
    auto id = client_conn.request(pseudo, fields, true);
    EXPECT_TRUE(id.has_value());
    return id.value_or(0);
  }

  ServerSide server;
  ClientSide client;
  ServerConnection server_conn;
  ClientConnection client_conn;
};

TEST_F(Http2Loopback, OneGet) {
  const std::uint32_t id = get("/a");
  pump();
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(server.paths[1], "/a");
  EXPECT_EQ(client.status[1], 200);
  EXPECT_EQ(client.bodies[1], std::string(100, 'x'));
  bool saw_type = false;
  for (const auto& f : client.fields[1]) {
    EXPECT_NE(f.name, "connection");
    if (f.name == "content-type") saw_type = f.value == "text/plain";
  }
  EXPECT_TRUE(saw_type);
  EXPECT_EQ(server.completed, (std::vector<std::uint32_t>{1}));
  EXPECT_FALSE(server_conn.error());
  EXPECT_FALSE(client_conn.failed());
}

TEST_F(Http2Loopback, SmallResponsesOvertakeALargeOne) {
  // The lecture's head-of-line blocking: over HTTP/2 the small objects need not wait for the large one.
  const std::uint32_t big = get("/big");
  const std::uint32_t a = get("/a"), b = get("/b"), c = get("/c");
  pump(16 * 1024);
  ASSERT_EQ(client.finished.size(), 4u);
  EXPECT_EQ(client.finished.back(), big);
  EXPECT_EQ(client.bodies[big].size(), 1u << 20);  // past the 64 KiB initial windows: credit came back
  for (std::uint32_t s : {a, b, c}) EXPECT_EQ(client.bodies[s].size(), 100u);
}

TEST_F(Http2Loopback, RequestBodyEchoes) {
  const hpack::FieldView pseudo[] = {
      {":method", "POST"}, {":scheme", "http"}, {":authority", "localhost"}, {":path", "/echo"}};
  auto id = client_conn.request(pseudo, {}, false);
  ASSERT_TRUE(id);
  std::string body;
  for (int i = 0; i < 200000; ++i) body += static_cast<char>('a' + i % 26);
  ASSERT_TRUE(client_conn.send_data(*id, body, true));
  pump(7000);
  EXPECT_EQ(server.bodies[*id], body);
  EXPECT_EQ(client.bodies[*id], body);
}

TEST_F(Http2Loopback, ManyRequestsOneByteAtATime) {
  for (int i = 0; i < 5; ++i) get("/r" + std::to_string(i));
  pump(1);
  EXPECT_EQ(client.finished.size(), 5u);
  EXPECT_EQ(server.completed.size(), 5u);
}

}  // namespace
}  // namespace endhost::http2
