// Feeds arbitrary client bytes through text::CommandReader and imap::Session over the in-memory store
// (tests/unit/imap_session/fake_store.hpp), as the I/O does: reads of sizes the input picks, every Step
// carried out at once (execute/resume inline, STARTTLS's handshake succeeding or not), and between reads
// another session's changes to the selected mailbox (new mail, flags, expunges, a lost journal, a deletion)
// with idle_update() while idling. The first byte picks the configuration, the second seeds the rest.
// Checks the session's promises on every piece of output: CRLF-terminated lines only (a `{n}` at a line's
// end announces n literal bytes, skipped), whole responses (never a partial line or literal at the end of
// a step), continuations as `+ text`, tagged responses OK/NO/BAD with a tag the client sent at a line's
// start, BYE only when closing; a step's output within batch_bytes plus its largest response plus a margin;
// no login attempt over plain text off loopback; the BAD and failed-login counts end the session; and
// nothing moves after Close.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fake_store.hpp"
#include "imap/session/session.hpp"
#include "text/command_reader.hpp"

namespace {

using namespace endhost::imap;
using endhost::imap::testing::FakeDirectory;
using endhost::imap::testing::FakeFolder;
using endhost::text::ReadEvent;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

enum Bits : std::uint8_t {
  kLoopback = 1,
  kTlsOffered = 2,
  kTlsActive = 4,
  kSmallLimits = 8,
  kEmptyInbox = 16,
  kTimeoutAtEnd = 32,
  kTlsFails = 64,
  kOtherSessions = 128,
};

constexpr std::string_view kDelivered =
    "From: Alice <alice@crepes.fr>\r\nSubject: Dessert?\r\n\r\nCrepes suzette.\r\n";

bool tag_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' && c != '"' &&
         c != '\\' && c != '+';
}

// The session's output, checked as it comes: lines, literals, responses.
class OutputChecker {
 public:
  explicit OutputChecker(const std::string& client) : client_(client) {}

  struct Chunk {
    std::size_t bytes = 0;
    std::size_t largest_response = 0;
    bool bye = false;
  };

  Chunk take(std::string_view out) {
    Chunk chunk;
    chunk.bytes = out.size();
    for (std::size_t i = 0; i < out.size();) {
      if (literal_left_ > 0) {
        const std::size_t n = std::min<std::size_t>(literal_left_, out.size() - i);
        literal_left_ -= n;
        response_size_ += n;
        i += n;
        continue;
      }
      const char c = out[i++];
      ++response_size_;
      if (c == '\n') {
        check(!line_.empty() && line_.back() == '\r');  // no bare LF
        line_.pop_back();
        end_of_line(chunk);
        continue;
      }
      if (!line_.empty() && line_.back() == '\r') check(false);  // no bare CR
      line_ += c;
      check(line_.size() <= 1024 * 1024);
    }
    // A step writes whole responses: nothing half-written is left for the next one.
    check(line_.empty() && literal_left_ == 0 && response_size_ == 0);
    return chunk;
  }

 private:
  void end_of_line(Chunk& chunk) {
    if (first_line_.empty()) first_line_ = line_.empty() ? std::string(" ") : line_;
    // `{n}` at the end of a line: n octets of a literal follow, then the response goes on.
    if (line_.size() >= 3 && line_.back() == '}') {
      const std::size_t open = line_.rfind('{');
      if (open != std::string::npos && open + 2 < line_.size()) {
        std::uint64_t n = 0;
        bool digits = true;
        for (std::size_t k = open + 1; k + 1 < line_.size(); ++k) {
          const char d = line_[k];
          if (d < '0' || d > '9' || n > (1ull << 40)) {
            digits = false;
            break;
          }
          n = n * 10 + static_cast<std::uint64_t>(d - '0');
        }
        if (digits) {
          literal_left_ = n;
          line_.clear();
          return;
        }
      }
    }
    line_.clear();
    end_of_response(chunk);
  }

  void end_of_response(Chunk& chunk) {
    const std::string& l = first_line_;
    if (l.rfind("* ", 0) == 0) {
      if (l.rfind("* BYE", 0) == 0) chunk.bye = true;
    } else if (l[0] == '+') {
      check(l.rfind("+ ", 0) == 0);  // continue-req = "+" SP (resp-text / base64)
    } else {
      // A tagged response: `tag SP (OK / NO / BAD) SP text`, the tag one the client sent.
      const std::size_t sp = l.find(' ');
      check(sp != std::string::npos && sp > 0);
      const std::string tag = l.substr(0, sp);
      for (const char c : tag) check(tag_char(c));
      const std::string_view rest = std::string_view(l).substr(sp + 1);
      check(rest.rfind("OK ", 0) == 0 || rest.rfind("NO ", 0) == 0 || rest.rfind("BAD ", 0) == 0);
      check(sent_at_line_start(tag));
    }
    chunk.largest_response = std::max(chunk.largest_response, response_size_);
    response_size_ = 0;
    first_line_.clear();
  }

  bool sent_at_line_start(const std::string& tag) const {
    for (std::size_t at = client_.find(tag); at != std::string::npos; at = client_.find(tag, at + 1)) {
      const bool starts = at == 0 || client_[at - 1] == '\n';
      const std::size_t end = at + tag.size();
      const bool ends = end == client_.size() || !tag_char(client_[end]);
      if (starts && ends) return true;
    }
    return false;
  }

  const std::string& client_;  // every byte the client sent so far
  std::string line_;
  std::string first_line_;
  std::uint64_t literal_left_ = 0;
  std::size_t response_size_ = 0;
};

class Fuzzer {
 public:
  Fuzzer(const SessionConfig& config, std::uint8_t bits, std::uint8_t seed)
      : config_(config),
        session_(config, directory_),
        reader_(session_.reader_config()),
        bits_(bits),
        seed_(seed),
        checker_(client_),
        tls_(config.tls_active) {
    if (!(bits & kEmptyInbox)) endhost::imap::testing::add_sample_messages(directory_.inbox());
  }

  void run(std::string_view bytes) {
    session_.greeting();
    drain();
    while (!bytes.empty() && !closed_) {
      const std::size_t want = (next() & 0x80) ? 1 + next() * 16u : 1 + next() % 37;
      const std::string_view piece = bytes.substr(0, want);
      const std::size_t n = reader_.feed(piece);
      client_.append(piece.substr(0, n));
      bytes.remove_prefix(n);
      pump();
      if ((bits_ & kOtherSessions) && !closed_) another_session();
      check(n > 0 || closed_);  // after pump() the reader holds at most a partial line: it has room
    }
    if (!closed_ && (bits_ & kTimeoutAtEnd)) act(session_.on_timeout());
    if (!tls_ && !config_.peer_is_trusted) check(directory_.attempts == 0);  // RFC 3501 §6.2.3
    const SessionStats& s = session_.stats();
    if (s.bad >= config_.max_bad || s.login_failures >= config_.max_login_failures) check(closed_);
    if (closed_) {  // nothing moves after Close
      check(session_.on_line("z1 NOOP") == Step::Close);
      check(session_.output().empty());
      (void)session_.resume();
      (void)session_.literal_end();
      if (const auto folder = session_.selected_folder())  // a change the IDLE listener may still report
        (void)folder->append(kDelivered, Flags{}, std::nullopt);
      session_.idle_update();
      check(session_.output().empty());
    }
  }

 private:
  std::uint8_t next() {
    seed_ = static_cast<std::uint8_t>(seed_ * 73 + 41);
    return seed_;
  }

  // What the I/O sends after each call into the session, checked.
  void drain() {
    const std::string_view out = session_.output();
    const OutputChecker::Chunk chunk = checker_.take(out);
    if (chunk.bye) check(session_.closing());
    // Memory: one step's output is at most a batch, the response that crossed it, and the small untagged
    // responses a command may add (a per-message FETCH FLAGS or EXPUNGE of the mailbox, SEARCH's numbers).
    std::size_t messages = 0;
    for (const auto& [name, folder] : directory_.folders) messages += folder->status().messages;
    check(chunk.bytes <= config_.batch_bytes + chunk.largest_response + 16 * 1024 + 160 * messages);
    session_.consumed(out.size());
    check(session_.output().empty());
  }

  void act(Step s) {
    for (;;) {
      drain();
      switch (s) {
        case Step::None:
        case Step::Idle:
          return;
        case Step::Execute:
          s = session_.execute();
          continue;
        case Step::More:
          s = session_.resume();
          continue;
        case Step::StartTls: {
          reader_.discard_buffered();
          client_ += '\n';  // what the client sends next starts a line: the TLS stream's first
          const bool ok = !(bits_ & kTlsFails);
          tls_ = tls_ || ok;
          s = session_.tls_ready(ok);
          continue;
        }
        case Step::Close:
          closed_ = true;
          return;
      }
    }
  }

  void pump() {
    for (int guard = 0; guard < 1'000'000 && !closed_; ++guard) {
      const ReadEvent e = reader_.next();
      switch (e.kind) {
        case ReadEvent::Kind::NeedMore:
          return;
        case ReadEvent::Kind::AwaitingDecision:
          check(false);  // every announced literal was decided at once
          return;
        case ReadEvent::Kind::Line:
          act(session_.on_line(e.text));
          break;
        case ReadEvent::Kind::LiteralAnnounced: {
          const LiteralDecision d = session_.on_literal(e.text, e.literal_size, e.non_synchronizing);
          drain();
          if (d == LiteralDecision::Accept && reader_.accept_literal()) break;
          act(session_.literal_refused(reader_.refuse_literal()));
          break;
        }
        case ReadEvent::Kind::LiteralChunk:
          session_.literal_chunk(e.text);
          drain();
          break;
        case ReadEvent::Kind::LiteralEnd:
          act(session_.literal_end());
          break;
        case ReadEvent::Kind::Error:
          act(session_.on_read_error(e.error));
          break;
        default:
          break;
      }
    }
  }

  // Another session changes the selected mailbox (or INBOX); an idling session hears of it.
  void another_session() {
    const std::shared_ptr<Folder> selected = session_.selected_folder();
    Folder& f = selected ? *selected : directory_.inbox();
    const std::uint8_t what = next() % 32;
    const FolderSnapshot snap = f.snapshot();
    const std::uint32_t uid = snap.messages.empty() ? 0 : snap.messages[next() % snap.messages.size()].uid;
    const std::uint32_t uids[] = {uid};
    if (what < 3) {
      (void)f.append(kDelivered, Flags{}, std::nullopt);
    } else if (what == 3 && uid) {
      (void)f.store_flags(uids, FlagOp::Add, Flags{endhost::mail::store::kFlagged, 0});
    } else if (what == 4 && uid) {
      (void)f.store_flags(uids, FlagOp::Replace, Flags{endhost::mail::store::kSeen, 0});
    } else if (what == 5 && uid) {
      (void)f.expunge(uids);
    } else if (what == 6) {
      if (auto* fake = dynamic_cast<FakeFolder*>(&f)) fake->forget_journal();
    } else if (what == 7 && f.name() != "INBOX") {
      if (auto* fake = dynamic_cast<FakeFolder*>(&f)) fake->gone = true;  // DELETE by the other session
      directory_.folders.erase(f.name());
    } else {
      return;
    }
    if (session_.idling()) {
      session_.idle_update();
      drain();
    }
  }

  SessionConfig config_;
  FakeDirectory directory_;
  Session session_;
  endhost::text::CommandReader reader_;
  std::uint8_t bits_;
  std::uint8_t seed_;
  std::string client_;
  OutputChecker checker_;
  bool closed_ = false;
  bool tls_ = false;  // the connection is TLS (implicit, or after a STARTTLS handshake)
};

SessionConfig config_for(std::uint8_t bits) {
  SessionConfig c;
  c.hostname = "hamburger.edu";
  c.peer_is_trusted = bits & kLoopback;
  c.tls_available = bits & (kTlsOffered | kTlsActive);
  c.tls_active = bits & kTlsActive;
  if (bits & kSmallLimits) {
    c.max_message_size = 300;
    c.max_literal = 64;
    c.max_line = 200;
    c.max_bad = 4;
    c.max_login_failures = 2;
    c.batch_bytes = 64;
    c.parse.max_depth = 4;
    c.parse.max_fetch_items = 8;
    c.parse.max_search_keys = 16;
    c.parse.max_sequence_ranges = 16;
  }
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t bits = data[0];
  Fuzzer fuzzer(config_for(bits), bits, data[1]);
  fuzzer.run(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}
