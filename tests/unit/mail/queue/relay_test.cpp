// The relay end to end on loopback, with a FakeMailDns and a scripted SMTP server: a mail is delivered to
// the MX and leaves the queue; a 550 at RCPT bounces at once with an RFC 3464 report sent with MAIL FROM:<>;
// a server that is down leaves the mail deferred by the minimal backoff with the connect error; a null MX
// bounces without any connection, and the bounce for a local sender goes through LocalDelivery with a
// stable delivery id.
#include "mail/queue/relay.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

namespace endhost::mail::queue {
namespace {

namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Received {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;
};

// Accepts connections and answers as a minimal ESMTP server; RCPT of an address in `reject` gets 550.
class FakeSmtp {
 public:
  explicit FakeSmtp(asio::io_context& io)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> reject;

  std::vector<Received> received() const {
    std::lock_guard g(mu_);
    return got_;
  }

  awaitable<void> serve() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(use_nothrow);
      if (ec) co_return;
      asio::co_spawn(acceptor_.get_executor(), session(std::move(s)), asio::detached);
    }
  }

 private:
  awaitable<void> say(tcp::socket& s, std::string line) {
    line += "\r\n";
    co_await asio::async_write(s, asio::buffer(line), use_nothrow);
  }
  awaitable<std::optional<std::string>> line(tcp::socket& s, std::string& buf,
                                             std::string_view end = "\r\n") {
    for (;;) {
      const auto at = buf.find(end);
      if (at != std::string::npos) {
        std::string l = buf.substr(0, at);
        buf.erase(0, at + end.size());
        co_return l;
      }
      char tmp[4096];
      auto [ec, n] = co_await s.async_read_some(asio::buffer(tmp), use_nothrow);
      if (ec) co_return std::nullopt;
      buf.append(tmp, n);
    }
  }
  awaitable<void> session(tcp::socket s) {
    std::string buf;
    Received r;
    co_await say(s, "220 mx.hamburger.edu ESMTP fake");
    for (;;) {
      auto l = co_await line(s, buf);
      if (!l) co_return;
      const std::string cmd = l->substr(0, 4);
      if (cmd == "EHLO") {
        co_await say(s, "250-mx.hamburger.edu\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES");
      } else if (cmd == "MAIL") {
        r = Received{};
        r.mail_from = l->substr(10, l->find('>') - 10 + 1);
        co_await say(s, "250 2.1.0 Ok");
      } else if (cmd == "RCPT") {
        const std::string to = l->substr(8, l->find('>') - 8 + 1);
        if (std::find(reject.begin(), reject.end(), to) != reject.end()) {
          const std::string refusal = "550 5.1.1 " + to + ": Recipient address rejected: no such user";
          co_await say(s, refusal);
        } else {
          r.rcpt_to.push_back(to);
          co_await say(s, "250 2.1.5 Ok");
        }
      } else if (cmd == "DATA") {
        co_await say(s, "354 End data with <CR><LF>.<CR><LF>");
        auto body = co_await line(s, buf, "\r\n.\r\n");
        if (!body) co_return;
        r.data = *body + "\r\n";
        {
          std::lock_guard g(mu_);
          got_.push_back(r);
        }
        co_await say(s, "250 2.0.0 Ok: queued");
      } else if (cmd == "QUIT") {
        co_await say(s, "221 2.0.0 Bye");
        co_return;
      } else {
        co_await say(s, "250 2.0.0 Ok");
      }
    }
  }

  tcp::acceptor acceptor_;
  mutable std::mutex mu_;
  std::vector<Received> got_;
};

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/endhost-relay-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto s = QueueStore::open(root_ / "queue");
    ASSERT_TRUE(s);
    store_.emplace(std::move(*s));
    dns_ = std::make_shared<dns::FakeMailDns>();
    dns_->mx_records["hamburger.edu"] = {{10, "mx.hamburger.edu"}};
    dns_->mx_records["crepes.fr"] = {{10, "mx.hamburger.edu"}};
    dns_->mx_records["nomail.test"] = {{0, ""}};
    dns_->address_records["mx.hamburger.edu"] = {asio::ip::make_address("127.0.0.1")};
    server_ = std::make_unique<FakeSmtp>(loops_[0].io());
    server_->reject = {"<nobody@hamburger.edu>"};
    asio::co_spawn(loops_[0].io(), server_->serve(), asio::detached);
  }
  void TearDown() override {
    if (relay_) {
      std::atomic<bool> stopped{false};
      asio::co_spawn(
          loops_[0].io(),
          [&]() -> awaitable<void> {
            co_await relay_->stop();
            stopped = true;
          },
          asio::detached);
      for (int i = 0; i < 200 && !stopped; ++i) std::this_thread::sleep_for(10ms);
    }
    loops_.stop();
    if (thread_.joinable()) thread_.join();
    loops_.shutdown();
    relay_.reset();
    fs::remove_all(root_);
  }

  void start(RelayConfig config) {
    config.hostname = "crepes.fr";
    if (config.port == 25) config.port = server_->port();
    relay_ = std::make_unique<Relay>(loops_, *store_, config, dns_, core::Transcript());
    relay_->start();
    thread_ = std::thread([this] { loops_.run(); });
  }

  template <class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return pred();
  }

  std::string enqueue(std::vector<std::string> to, std::string sender = "alice@crepes.fr") {
    QueuedEnvelope e;
    e.sender = std::move(sender);
    e.recipients = std::move(to);
    auto id = store_->enqueue(e, "From: alice@crepes.fr\r\nSubject: ketchup\r\n\r\nDo you like ketchup?\r\n");
    EXPECT_TRUE(id);
    if (relay_) relay_->kick();
    return *id;
  }

  fs::path root_;
  std::optional<QueueStore> store_;
  std::shared_ptr<dns::FakeMailDns> dns_;
  core::EventLoops loops_{1};
  std::unique_ptr<FakeSmtp> server_;
  std::unique_ptr<Relay> relay_;
  std::thread thread_;
};

TEST_F(RelayTest, DeliversToTheMxAndLeavesTheQueue) {
  start({});
  enqueue({"bob@hamburger.edu"});
  ASSERT_TRUE(wait_for([&] { return !server_->received().empty() && store_->list().empty(); }));
  const auto got = server_->received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].mail_from, "<alice@crepes.fr>");
  EXPECT_EQ(got[0].rcpt_to, std::vector<std::string>{"<bob@hamburger.edu>"});
  EXPECT_NE(got[0].data.find("Do you like ketchup?"), std::string::npos);
  const auto stats = relay_->stats();
  EXPECT_EQ(stats.delivered, 1u);
  ASSERT_FALSE(stats.recent.empty());
  EXPECT_EQ(stats.recent.back().outcome, "delivered");
}

TEST_F(RelayTest, A5xxBouncesAtOnceWithADsnFromTheNullPath) {
  start({});
  const std::string id = enqueue({"bob@hamburger.edu", "nobody@hamburger.edu"});
  ASSERT_TRUE(wait_for([&] { return server_->received().size() >= 2 && store_->list().empty(); }));
  const auto got = server_->received();
  EXPECT_EQ(got[0].rcpt_to, std::vector<std::string>{"<bob@hamburger.edu>"});
  EXPECT_EQ(got[1].mail_from, "<>");
  EXPECT_EQ(got[1].rcpt_to, std::vector<std::string>{"<alice@crepes.fr>"});
  const std::string& dsn = got[1].data;
  EXPECT_NE(dsn.find("Content-Type: multipart/report; report-type=delivery-status"), std::string::npos);
  EXPECT_NE(dsn.find("Final-Recipient: rfc822; nobody@hamburger.edu\r\nAction: failed\r\nStatus: 5.1.1"),
            std::string::npos);
  EXPECT_EQ(dsn.find("Final-Recipient: rfc822; bob@hamburger.edu"), std::string::npos);
  EXPECT_NE(dsn.find("Message-ID: <" + id + "B@crepes.fr>"), std::string::npos);
  EXPECT_EQ(relay_->stats().bounced, 1u);
}

TEST_F(RelayTest, ABounceIsNeverBounced) {
  start({});
  enqueue({"nobody@hamburger.edu"}, "");
  ASSERT_TRUE(wait_for([&] { return store_->list().empty(); }));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(server_->received().empty());
  EXPECT_TRUE(store_->list().empty());
}

// A crash after the bounce was queued and before the mail was removed: on the next try the bounce is found
// queued already, so nothing new is queued and the mail goes.
TEST_F(RelayTest, ABounceQueuedBeforeACrashIsNotQueuedAgain) {
  // The bounce's recipient is a host that refuses connections, so it stays queued where the test sees it.
  dns_->mx_records["down.test"] = {{10, "mx.down.test"}};
  dns_->address_records["mx.down.test"] = {asio::ip::make_address("127.0.0.2")};
  const std::string id = enqueue({"nobody@hamburger.edu"});
  QueuedEnvelope b;
  b.recipients = {"alice@down.test"};
  auto queued = store_->enqueue_with_id(id + "B", b, "the bounce from before the crash\r\n",
                                        store_->clock().wall_now());
  ASSERT_TRUE(queued && *queued);
  start({});
  ASSERT_TRUE(wait_for([&] { return !store_->get(id); }));
  const auto left = store_->list();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, id + "B");
  auto message = store_->message(id + "B");
  ASSERT_TRUE(message);
  EXPECT_EQ(*message, "the bounce from before the crash\r\n");
  for (const auto& r : server_->received()) EXPECT_NE(r.mail_from, "<>");
}

TEST_F(RelayTest, AServerThatIsDownDefersByTheMinimalBackoff) {
  RelayConfig c;
  {
    tcp::acceptor closed(loops_[0].io(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    c.port = closed.local_endpoint().port();
  }  // nothing listens there now
  start(c);
  const std::string id = enqueue({"bob@hamburger.edu"});
  ASSERT_TRUE(wait_for([&] {
    auto e = store_->get(id);
    return e && e->recipients[0].attempts == 1;
  }));
  const auto e = *store_->get(id);
  EXPECT_EQ(e.recipients[0].state, RecipientState::Pending);
  EXPECT_EQ(e.recipients[0].status, "4.4.1");
  EXPECT_NE(e.recipients[0].last_error.find("connect to mx.hamburger.edu[127.0.0.1]"), std::string::npos)
      << e.recipients[0].last_error;
  EXPECT_GE(e.recipients[0].next_try - e.arrival, 300s);
  EXPECT_LE(e.recipients[0].next_try - e.arrival, 310s);
  // flush (as `mail queue flush` from another process does) makes it due again: a second attempt.
  ASSERT_TRUE(store_->flush(id));
  ASSERT_TRUE(wait_for([&] {
    auto f = store_->get(id);
    return f && f->recipients[0].attempts == 2;
  }));
}

TEST_F(RelayTest, NullMxBouncesAndALocalSenderGetsItThroughLocalDelivery) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> local;  // recipient, delivery id
  std::string bounce;
  RelayConfig c;
  c.local_delivery = [&](const std::string&, const std::string& rcpt, std::string_view message,
                         const std::string& delivery_id, std::string&) {
    if (rcpt != "alice@crepes.fr") return LocalResult::NotLocal;
    std::lock_guard g(mu);
    local.emplace_back(rcpt, delivery_id);
    bounce = std::string(message);
    return LocalResult::Delivered;
  };
  start(c);
  const std::string id = enqueue({"carol@nomail.test"});
  ASSERT_TRUE(wait_for([&] {
    std::lock_guard g(mu);
    return !local.empty() && store_->list().empty();
  }));
  std::lock_guard g(mu);
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].second, id + "B.0");
  EXPECT_NE(bounce.find("Status: 5.1.10"), std::string::npos);
  EXPECT_TRUE(server_->received().empty());
}

}  // namespace
}  // namespace endhost::mail::queue
