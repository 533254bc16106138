// The client side of the transport over real loopback sockets: name resolution through the injected
// resolvers (fixed table, the system's), IP literals that never reach a resolver, trying each address in
// turn, the local bind address, and the connect deadline against a listener whose backlog is full.
#include "core/dialer.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include "core/name_resolver.hpp"

namespace endhost::core {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

template <class T>
awaitable<void> store(awaitable<T> op, std::optional<T>& out) {
  T value = co_await std::move(op);
  out.emplace(std::move(value));
}

// Runs `op` to completion on `io` and returns its result.
template <class T>
T run(asio::io_context& io, awaitable<T> op) {
  std::optional<T> out;
  asio::co_spawn(io, store(std::move(op), out), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  io.restart();
  return std::move(*out);
}

awaitable<ResolveResult> resolve_with(const NameResolver& r, std::string host) {
  auto result = co_await resolve_host(r, host, std::chrono::steady_clock::now() + 5s);
  co_return result;
}

awaitable<Expected<tcp::socket, DialError>> dial(const Dialer& d, std::string host, std::uint16_t port) {
  auto result = co_await d.connect(host, port);
  co_return result;
}

// A resolver that fails the test if asked: proves literals skip it.
class NeverAsked final : public NameResolver {
 public:
  awaitable<ResolveResult> resolve(const std::string& host,
                                   std::chrono::steady_clock::time_point) const override {
    ADD_FAILURE() << "the resolver was asked for " << host;
    co_return Unexpected(ResolveError{ResolveErrc::failed, "asked"});
  }
};

TEST(NameResolver, FixedTableMatchesCaseInsensitivelyWithOrWithoutTheDot) {
  asio::io_context io;
  FixedNameResolver r({{"www.Example.test", {asio::ip::make_address("127.0.0.5")}}});
  for (const char* name : {"www.example.test", "WWW.EXAMPLE.TEST.", "www.example.Test"}) {
    auto got = run(io, resolve_with(r, name));
    ASSERT_TRUE(got) << name;
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->front().to_string(), "127.0.0.5");
  }
  auto missing = run(io, resolve_with(r, "other.example.test"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ResolveErrc::not_found);
  EXPECT_NE(missing.error().message.find("other.example.test"), std::string::npos);
}

TEST(NameResolver, LiteralsNeverReachTheResolver) {
  asio::io_context io;
  NeverAsked r;
  auto v4 = run(io, resolve_with(r, "127.0.0.9"));
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->front().to_string(), "127.0.0.9");
  auto v6 = run(io, resolve_with(r, "::1"));
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->front().is_v6());
}

TEST(NameResolver, SystemResolvesLocalhostAndRejectsAnInvalidName) {
  asio::io_context io;
  SystemNameResolver r;
  auto got = run(io, resolve_with(r, "localhost"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(
      std::any_of(got->begin(), got->end(), [](const asio::ip::address& a) { return a.is_loopback(); }));
  // .invalid is reserved never to resolve (RFC 6761 §6.4); getaddrinfo answers without asking the network
  // when no resolver is reachable, and a real resolver answers NXDOMAIN.
  auto bad = run(io, resolve_with(r, "no-such-host.invalid"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("no-such-host.invalid"), std::string::npos);
}

struct Listener {
  explicit Listener(asio::io_context& io, int backlog = 16) : acceptor(io) {
    acceptor.open(tcp::v4());
    acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor.listen(backlog);
  }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }
  tcp::acceptor acceptor;
};

TEST(Dialer, ConnectsToANameThroughTheInjectedResolver) {
  asio::io_context io;
  Listener l(io);
  FixedNameResolver r({{"origin.test", {asio::ip::make_address("127.0.0.1")}}});
  Dialer d(r, DialOptions{2s, std::nullopt, true});
  auto s = run(io, dial(d, "origin.test", l.port()));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->remote_endpoint().port(), l.port());
  tcp::no_delay nd;
  s->get_option(nd);
  EXPECT_TRUE(nd.value());
}

TEST(Dialer, TriesEachAddressInTurn) {
  asio::io_context io;
  Listener l(io);
  // 127.0.0.2 is loopback too but nothing listens there on this port: refused, then the next one.
  FixedNameResolver r(
      {{"two.test", {asio::ip::make_address("127.0.0.2"), asio::ip::make_address("127.0.0.1")}}});
  Dialer d(r, DialOptions{2s, std::nullopt, true});
  auto s = run(io, dial(d, "two.test", l.port()));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->remote_endpoint().address().to_string(), "127.0.0.1");
}

TEST(Dialer, ReportsRefusalAndUnknownNames) {
  asio::io_context io;
  std::uint16_t closed = 0;
  {
    Listener l(io);
    closed = l.port();
  }
  FixedNameResolver r({});
  Dialer d(r, DialOptions{2s, std::nullopt, true});
  auto refused = run(io, dial(d, "127.0.0.1", closed));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, DialErrc::connect);
  EXPECT_NE(refused.error().message.find("127.0.0.1:" + std::to_string(closed)), std::string::npos);
  EXPECT_NE(refused.error().message.find("refused"), std::string::npos);
  auto unknown = run(io, dial(d, "nowhere.test", 80));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, DialErrc::not_found);
}

// The filter judges each address after resolution: the refused one is skipped, the next one dialled, and
// when all are refused the error says so (DialErrc::refused), without a connection attempt.
TEST(Dialer, FilterJudgesTheResolvedAddresses) {
  struct RefuseTwo final : DialFilter {
    std::string refuse(const asio::ip::address& a) const override {
      return a == asio::ip::make_address("127.0.0.2") ? "not that one" : "";
    }
  } filter;
  asio::io_context io;
  Listener l(io);
  FixedNameResolver r(
      {{"two.test", {asio::ip::make_address("127.0.0.2"), asio::ip::make_address("127.0.0.1")}},
       {"only.test", {asio::ip::make_address("127.0.0.2")}}});
  Dialer d(r, DialOptions{2s, std::nullopt, true, &filter});
  auto s = run(io, dial(d, "two.test", l.port()));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->remote_endpoint().address().to_string(), "127.0.0.1");
  auto refused = run(io, dial(d, "only.test", l.port()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, DialErrc::refused);
  EXPECT_NE(refused.error().message.find("not that one"), std::string::npos) << refused.error().message;
  auto literal = run(io, dial(d, "127.0.0.2", l.port()));
  ASSERT_FALSE(literal);
  EXPECT_EQ(literal.error().code, DialErrc::refused);
}

TEST(Dialer, SendsFromTheLocalAddress) {
  asio::io_context io;
  Listener l(io);
  NeverAsked r;
  Dialer d(r, DialOptions{2s, asio::ip::make_address("127.0.0.3"), true});
  auto s = run(io, dial(d, "127.0.0.1", l.port()));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->local_endpoint().address().to_string(), "127.0.0.3");
  tcp::socket accepted(io);
  l.acceptor.accept(accepted);
  EXPECT_EQ(accepted.remote_endpoint().address().to_string(), "127.0.0.3");
}

TEST(Dialer, GivesUpAtTheDeadlineOnAFullBacklog) {
  asio::io_context io;
  // Backlog 0 holds one pending connection; once it is taken, Linux drops further SYNs (the client retries
  // for a second and more), so the next connect neither succeeds nor fails before our deadline.
  Listener l(io, 0);
  tcp::socket first(io);
  first.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
  NeverAsked r;
  Dialer d(r, DialOptions{300ms, std::nullopt, true});
  const auto start = std::chrono::steady_clock::now();
  auto s = run(io, dial(d, "127.0.0.1", l.port()));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, DialErrc::timeout);
  EXPECT_NE(s.error().message.find("timed out"), std::string::npos);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 900ms);
}

}  // namespace
}  // namespace endhost::core
