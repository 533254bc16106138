// Whole IMAP conversations (transcripts/*.txt) replayed against imap::Session over the in-memory store, in
// whole reads (pipelining) and a byte at a time, each as the client sees it. bob/secret logs in; INBOX holds
// sample_messages() (fake_store.hpp), Sent and Trash are empty. A file's `# session:` lines change that:
//   offsite            the peer is not on loopback (LOGIN needs TLS first)
//   tls                STARTTLS is offered (the handshake always succeeds)
//   implicit-tls       the connection is TLS from the start
//   empty              INBOX has no messages
//   deliver-on-advance every `! advance` first delivers one message to INBOX, as another session would, and
//                      the I/O's listener wakes an IDLE (idle_update())
//   max-bad=N max-login-failures=N max-message=N max-literal=N max-line=N batch=N   SessionConfig's limits
// `! advance` also runs the read deadline: once the time since the last bytes reaches read_timeout(), the
// I/O calls on_timeout().
// The files named bug_*.txt hold the RFC's answer where the session gives another; each has its own test
// below, skipped with the finding until the session is fixed; so is one the fuzz target found.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "driver.hpp"
#include "fake_store.hpp"
#include "replay.hpp"

namespace endhost::imap::testing {
namespace {

struct TranscriptOptions {
  SessionConfig config;
  bool empty = false;
  bool deliver_on_advance = false;
};

TranscriptOptions transcript_options(const std::string& file) {
  TranscriptOptions o;
  o.config.hostname = "hamburger.edu";
  o.config.peer_is_trusted = true;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# session:", 0) != 0) continue;
    std::istringstream words(line.substr(10));
    std::string w;
    while (words >> w) {
      const auto eq = w.find('=');
      const std::string key = w.substr(0, eq);
      const std::size_t n = eq == std::string::npos ? 0 : std::stoul(w.substr(eq + 1));
      if (key == "offsite")
        o.config.peer_is_trusted = false;
      else if (key == "tls")
        o.config.tls_available = true;
      else if (key == "implicit-tls")
        o.config.tls_active = o.config.tls_available = true;
      else if (key == "empty")
        o.empty = true;
      else if (key == "deliver-on-advance")
        o.deliver_on_advance = true;
      else if (key == "max-bad")
        o.config.max_bad = n;
      else if (key == "max-login-failures")
        o.config.max_login_failures = n;
      else if (key == "max-message")
        o.config.max_message_size = n;
      else if (key == "max-literal")
        o.config.max_literal = n;
      else if (key == "max-line")
        o.config.max_line = n;
      else if (key == "batch")
        o.config.batch_bytes = n;
      else
        ADD_FAILURE() << file << ": unknown session option " << w;
    }
  }
  return o;
}

// The message another session delivers on `! advance` (deliver-on-advance).
const std::string kDelivered =
    "From: Alice <alice@crepes.fr>\r\n"
    "To: Bob <bob@hamburger.edu>\r\n"
    "Subject: Dessert?\r\n"
    "Date: Sat, 05 Dec 2026 07:00:00 +0000\r\n"
    "\r\n"
    "Crepes suzette.\r\n";

class ReplayedImap final : public endhost::test::ReplaySession {
 public:
  explicit ReplayedImap(const TranscriptOptions& options)
      : options_(options), driver_(options.config, directory_) {
    if (!options_.empty) add_sample_messages(directory_.inbox());
    out_ = driver_.greet();
  }
  void receive(std::string_view bytes) override {
    quiet_ = std::chrono::milliseconds(0);
    out_ += driver_.send(bytes);
  }
  void advance(std::chrono::milliseconds by) override {
    if (driver_.closed) return;
    if (options_.deliver_on_advance) {
      (void)directory_.inbox().append(kDelivered, Flags{}, 1'796'454'000);
      if (driver_.session.idling()) out_ += driver_.idle_update();
    }
    quiet_ += by;
    if (quiet_ >= driver_.session.read_timeout()) {
      // The I/O's deadline: on_timeout() always ends the session.
      if (driver_.session.on_timeout() == Step::Close) driver_.closed = true;
      out_ += std::string(driver_.session.output());
      driver_.session.consumed(driver_.session.output().size());
    }
  }
  std::vector<std::string> take_output() override {
    if (out_.empty()) return {};
    return {std::exchange(out_, {})};
  }
  bool closed() const override { return driver_.closed; }

 private:
  TranscriptOptions options_;
  FakeDirectory directory_;
  Driver driver_;
  std::string out_;
  std::chrono::milliseconds quiet_{0};
};

std::string replay(const std::string& file) {
  const TranscriptOptions options = transcript_options(file);
  return endhost::test::replay_file(file, [&options] { return std::make_unique<ReplayedImap>(options); });
}

bool is_bug_file(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return path.compare(slash == std::string::npos ? 0 : slash + 1, 4, "bug_") == 0;
}

TEST(ImapTranscripts, AllMatch) {
  const auto files = endhost::test::transcript_files(ENDHOST_TRANSCRIPT_DIR);
  std::size_t replayed = 0;
  for (const auto& file : files) {
    if (is_bug_file(file)) continue;
    ++replayed;
    EXPECT_EQ(replay(file), "") << file;
  }
  EXPECT_GE(replayed, 15u) << "too few transcripts in " << ENDHOST_TRANSCRIPT_DIR;
}

// Answers the session once got wrong (found by these transcripts and the fuzz target), each file holding
// the RFC's answer: EXAMINE and STATUS report \Recent, no literal before login, mUTF-7 names, LSUB's `%`
// parents, RECURSIVEMATCH's CHILDINFO.
void expect_bug_fixed(const std::string& name) {
  EXPECT_EQ(replay(std::string(ENDHOST_TRANSCRIPT_DIR) + "/" + name), "") << name;
}

TEST(ImapSessionBugs, ExamineReportsRecent) {
  expect_bug_fixed("bug_examine_recent.txt");
}

TEST(ImapSessionBugs, StatusReportsRecent) {
  expect_bug_fixed("bug_status_recent.txt");
}

TEST(ImapSessionBugs, NoLiteralForACommandBeforeLogin) {
  expect_bug_fixed("bug_preauth_literal.txt");
}

TEST(ImapSessionBugs, MailboxNamesAreModifiedUtf7) {
  expect_bug_fixed("bug_mutf7_names.txt");
}

TEST(ImapSessionBugs, LsubPercentReturnsTheUnsubscribedParent) {
  expect_bug_fixed("bug_lsub_percent.txt");
}

TEST(ImapSessionBugs, ListRecursiveMatchGivesChildInfo) {
  expect_bug_fixed("bug_list_recursivematch.txt");
}

// Found by the fuzz target (tests/fuzz/imap_session): a BYE while idling (the autologout, or too many
// BADs from malformed lines) leaves IDLE running, so the I/O's mailbox listener still gets untagged
// responses out of idle_update() after the BYE and Close.
TEST(ImapSessionBugs, NothingAfterByeWhileIdling) {
  FakeDirectory directory;
  add_sample_messages(directory.inbox());
  const SessionConfig config = transcript_options("").config;  // no file: the defaults
  Driver d(config, directory);
  d.greet();
  d.send("a1 LOGIN bob secret\r\na2 SELECT INBOX\r\na3 IDLE\r\n");
  ASSERT_TRUE(d.session.idling());
  EXPECT_EQ(d.session.on_timeout(), Step::Close);
  d.session.consumed(d.session.output().size());
  (void)directory.inbox().append(kDelivered, Flags{}, std::nullopt);
  d.session.idle_update();
  EXPECT_EQ(std::string(d.session.output()), "");
  EXPECT_FALSE(d.session.idling());
}

// Every bug_*.txt has its test above (a new finding is not silently left out).
TEST(ImapSessionBugs, EachHasATest) {
  std::size_t bugs = 0;
  for (const auto& file : endhost::test::transcript_files(ENDHOST_TRANSCRIPT_DIR)) bugs += is_bug_file(file);
  EXPECT_EQ(bugs, 6u);
}

}  // namespace
}  // namespace endhost::imap::testing
