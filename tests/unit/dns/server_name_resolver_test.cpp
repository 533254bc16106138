// The NameResolver that asks a DNS server, against a scripted server on 127.0.0.1: A then AAAA, CNAME chains
// followed, NXDOMAIN and SERVFAIL told apart, an answer for another question ignored, silence a timeout.
#include "dns/client/server_name_resolver.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "dns/message.hpp"

namespace endhost::dns::client {
namespace {

using namespace std::chrono_literals;
using udp = asio::ip::udp;

Name name(const char* text) {
  return *Name::from_string(text);
}

ResourceRecord record(const char* owner, Rdata data, RRType type) {
  return ResourceRecord{name(owner), type, RRClass::IN, Ttl{60}, std::move(data)};
}

// Answers each query with what `script` makes of it (nothing: stays silent).
using Script = std::function<std::optional<Message>(const Message& query)>;

awaitable<void> serve(udp::socket& socket, Script script) {
  std::vector<std::uint8_t> buf(65535);
  for (;;) {
    udp::endpoint from;
    auto [ec, n] = co_await socket.async_receive_from(asio::buffer(buf), from, use_nothrow);
    if (ec) co_return;
    auto query = decode_message(std::span(buf.data(), n));
    if (!query) continue;
    auto answer = script(*query);
    if (!answer) continue;
    auto wire = encode_message(*answer);
    if (!wire) continue;
    socket.send_to(asio::buffer(*wire), from, 0, ec);
  }
}

awaitable<void> ask(const ServerNameResolver& r, std::string host, std::chrono::milliseconds limit,
                    std::optional<core::ResolveResult>& out, udp::socket& server) {
  auto got = co_await r.resolve(host, std::chrono::steady_clock::now() + limit);
  out.emplace(std::move(got));
  boost::system::error_code ignored;
  server.close(ignored);  // ends serve()
}

core::ResolveResult resolve(const Script& script, const char* host, std::chrono::milliseconds limit = 2s) {
  asio::io_context io;
  udp::socket server(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  ServerNameResolver r(server.local_endpoint());
  std::optional<core::ResolveResult> out;
  asio::co_spawn(io, serve(server, script), asio::detached);
  asio::co_spawn(io, ask(r, host, limit, out, server), asio::detached);
  io.run();
  return std::move(*out);
}

Message reply_to(const Message& q, Rcode rcode = Rcode::NOERROR) {
  Message m;
  m.header = q.header;
  m.header.qr = true;
  m.header.ra = true;
  m.questions = q.questions;
  m.set_rcode(rcode);
  return m;
}

TEST(ServerNameResolver, AsksForAThenAaaaAndFollowsCnames) {
  int queries = 0;
  auto got = resolve(
      [&](const Message& q) -> std::optional<Message> {
        ++queries;
        Message m = reply_to(q);
        m.answers.push_back(
            record("www.example.test.", rdata::Cname{name("host.example.test.")}, RRType::CNAME));
        if (q.questions.at(0).type == RRType::A) {
          m.answers.push_back(record("host.example.test.", rdata::A{{127, 0, 0, 7}}, RRType::A));
          m.answers.push_back(record("unrelated.test.", rdata::A{{127, 0, 0, 9}}, RRType::A));  // not ours
        } else {
          m.answers.push_back(record("host.example.test.",
                                     rdata::Aaaa{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
                                     RRType::AAAA));
        }
        return m;
      },
      "WWW.example.test");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].to_string(), "127.0.0.7");
  EXPECT_EQ((*got)[1].to_string(), "::1");
  EXPECT_EQ(queries, 2);
}

TEST(ServerNameResolver, NxdomainIsNotFoundAndServfailIsAFailure) {
  auto nx = resolve([](const Message& q) { return std::optional<Message>(reply_to(q, Rcode::NXDOMAIN)); },
                    "nothere.example.test");
  ASSERT_FALSE(nx);
  EXPECT_EQ(nx.error().code, core::ResolveErrc::not_found);
  EXPECT_NE(nx.error().message.find("nothere.example.test"), std::string::npos);
  auto fail = resolve([](const Message& q) { return std::optional<Message>(reply_to(q, Rcode::SERVFAIL)); },
                      "broken.example.test");
  ASSERT_FALSE(fail);
  EXPECT_EQ(fail.error().code, core::ResolveErrc::failed);
  EXPECT_NE(fail.error().message.find("SERVFAIL"), std::string::npos);
}

TEST(ServerNameResolver, IgnoresAnswersToOtherQuestionsAndTimesOut) {
  const auto start = std::chrono::steady_clock::now();
  auto got = resolve(
      [](const Message& q) -> std::optional<Message> {
        Message m = reply_to(q);
        m.questions.at(0).name = name("spoofed.test.");  // not what was asked: must be ignored
        m.answers.push_back(record("spoofed.test.", rdata::A{{127, 0, 0, 66}}, RRType::A));
        return m;
      },
      "www.example.test", 400ms);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ResolveErrc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

}  // namespace
}  // namespace endhost::dns::client
