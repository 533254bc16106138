// The load generator of bench/imap and bench/pop3 (issue 12 §6): N client threads, each with one blocking
// socket, run the same IMAP or POP3 sessions against any server on a loopback port, and print one JSON
// object with what they counted. Standard library and POSIX sockets only; compiled by the run scripts with
// `g++ -std=c++20 -O2 -pthread`.
//
//   loadgen imap-login  --port P --clients N --duration S --user PREFIX --users K --password PW
//       each client: connect, greeting, LOGIN, LOGOUT, close, again; counts the logins.
//   loadgen imap-mix    ... (same options)
//       client i logs in as PREFIX<i % K> and runs rounds of SELECT INBOX, FETCH 1:20 (FLAGS RFC822.SIZE
//       BODY.PEEK[HEADER]), 3 x FETCH n BODY[], STORE n +FLAGS (\Seen), STORE n -FLAGS (\Seen), APPEND of a
//       2 KiB message, STORE 1 +FLAGS.SILENT (\Deleted), EXPUNGE (one in, one out: the mailbox keeps its
//       size); counts each command.
//   loadgen pop3        ... --retr M
//       each client: USER/PASS as its own user, STAT, RETR 1..M, QUIT (no DELE); counts sessions.
//   loadgen imap-select --port P --user NAME --password PW
//       SELECT INBOX in a first session (cold, timed), LOGOUT; a second session's SELECT (warm, timed),
//       then prints the figures and holds that session open until stdin closes (the caller reads the
//       server's memory meanwhile), then LOGOUT.
//
// Every reply is checked: a tagged OK (or +OK) counts, NO/BAD (-ERR) and malformed or short replies count as
// errors, with the first few error lines kept for the report. A client that loses its connection counts an
// error and starts a new session.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Bounds on what the generator accepts from a server: a reply line and a literal.
constexpr std::size_t kMaxLine = 1 << 20;
constexpr std::size_t kMaxLiteral = 64 << 20;
constexpr std::size_t kKeptErrors = 5;
constexpr int kIoTimeoutMs = 300'000;  // the cold SELECT of a large mailbox can take a while

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  int port = 0;
  int clients = 10;
  double duration = 10;
  std::string user = "bench";
  int users = 1;
  std::string password;
  int retr = 100;
  int bodies_per_round = 3;
  int append_size = 2048;
};

// Counts of one kind of command: completions, errors, and the summed latency.
struct OpStats {
  std::uint64_t ok = 0, errors = 0;
  double seconds = 0;
};

class Report {
 public:
  void add(const std::string& op, bool ok, double seconds) {
    std::lock_guard lock(mutex_);
    auto& s = ops_[op];
    (ok ? s.ok : s.errors)++;
    s.seconds += seconds;
  }
  void error(const std::string& what) {
    std::lock_guard lock(mutex_);
    ++error_count_;
    if (errors_.size() < kKeptErrors) errors_.push_back(what);
  }
  void count(const std::string& name, std::uint64_t n) {
    std::lock_guard lock(mutex_);
    counters_[name] += n;
  }
  std::string json(double elapsed) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, OpStats> ops_;
  std::map<std::string, std::uint64_t> counters_;
  std::vector<std::string> errors_;
  std::uint64_t error_count_ = 0;
};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Report::json(double elapsed) const {
  std::lock_guard lock(mutex_);
  std::string out = "{\"elapsed\": " + std::to_string(elapsed) + ", \"ops\": {";
  bool first = true;
  for (const auto& [name, s] : ops_) {
    if (!first) out += ", ";
    first = false;
    out += json_string(name) + ": {\"ok\": " + std::to_string(s.ok) +
           ", \"errors\": " + std::to_string(s.errors) + ", \"seconds\": " + std::to_string(s.seconds) + "}";
  }
  out += "}, \"counters\": {";
  first = true;
  for (const auto& [name, n] : counters_) {
    if (!first) out += ", ";
    first = false;
    out += json_string(name) + ": " + std::to_string(n);
  }
  out += "}, \"error_count\": " + std::to_string(error_count_) + ", \"errors\": [";
  for (std::size_t i = 0; i < errors_.size(); ++i) out += (i ? ", " : "") + json_string(errors_[i]);
  return out + "]}";
}

// A blocking TCP connection with a read buffer: lines (CRLF cut off) and exact byte counts.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  bool open(const std::string& host, int port) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) return false;
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      close();
      return false;
    }
    buf_.clear();
    pos_ = 0;
    return true;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool is_open() const { return fd_ >= 0; }
  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // The next line without its CRLF (a bare LF ends a line too); false at EOF, timeout or past kMaxLine.
  bool line(std::string& out) {
    for (;;) {
      auto nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        std::size_t end = nl;
        if (end > pos_ && buf_[end - 1] == '\r') --end;
        out.assign(buf_, pos_, end - pos_);
        pos_ = nl + 1;
        return true;
      }
      if (buf_.size() - pos_ > kMaxLine || !fill()) return false;
    }
  }
  // Exactly n bytes (an IMAP literal); `out` gets them when keep is set.
  bool exact(std::size_t n, std::string* out) {
    while (buf_.size() - pos_ < n)
      if (!fill()) return false;
    if (out) out->assign(buf_, pos_, n);
    pos_ += n;
    return true;
  }

 private:
  bool fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ > (1 << 16)) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kIoTimeoutMs) <= 0) return false;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
  std::size_t pos_ = 0;
};

// --- IMAP ---------------------------------------------------------------------------------------------

// One IMAP response: the untagged lines (each literal's bytes replaced by a marker, its size kept), the
// tagged status and text.
struct ImapReply {
  std::vector<std::string> untagged;
  std::vector<std::size_t> literal_sizes;
  std::string status;  // OK, NO, BAD, or "" when the connection failed
  std::string text;    // the whole tagged line
  bool continuation = false;
};

// The size of a literal announced at the end of `line` ("{123}"), if any (RFC 3501 §4.3).
std::optional<std::size_t> literal_at_end(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  auto open = line.rfind('{');
  if (open == std::string_view::npos || open + 2 > line.size() - 1) return std::nullopt;
  std::size_t n = 0;
  for (std::size_t i = open + 1; i + 1 < line.size(); ++i) {
    char c = line[i];
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
    if (n > kMaxLiteral) return std::nullopt;
  }
  return n;
}

class ImapClient {
 public:
  ImapClient(const Options& o, Report& r) : options_(o), report_(r) {}

  bool connect() {
    exists_ = 0;
    tag_ = 0;
    if (!conn_.open(options_.host, options_.port)) {
      report_.error("connect failed");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a server that is down is not spun on
      return false;
    }
    std::string greeting;
    if (!conn_.line(greeting) || greeting.rfind("* OK", 0) != 0) {
      report_.error("greeting: " + greeting);
      conn_.close();
      return false;
    }
    return true;
  }
  void close() { conn_.close(); }

  // Reads lines until the tagged reply of `tag` (or a continuation request when `want_continuation`).
  bool read_reply(const std::string& tag, ImapReply& reply, bool want_continuation = false) {
    std::string line;
    for (;;) {
      if (!conn_.line(line)) return false;
      if (want_continuation && line.rfind("+", 0) == 0) {
        reply.continuation = true;
        return true;
      }
      if (line.rfind(tag + " ", 0) == 0) {
        reply.text = line;
        auto rest = std::string_view(line).substr(tag.size() + 1);
        reply.status = std::string(rest.substr(0, rest.find(' ')));
        return true;
      }
      // An untagged line, perhaps with literals in it: each literal is read and the line goes on after it.
      std::string whole = line;
      while (auto n = literal_at_end(line)) {
        if (!conn_.exact(*n, nullptr)) return false;
        reply.literal_sizes.push_back(*n);
        if (!conn_.line(line)) return false;
        whole += "<literal>" + line;
      }
      note_untagged(whole);
      reply.untagged.push_back(std::move(whole));
    }
  }

  // Sends `command` (without tag and CRLF) and reads its reply; counts it under `op`. Returns the reply
  // when it was a tagged OK.
  std::optional<ImapReply> command(const std::string& op, const std::string& command) {
    std::string tag = next_tag();
    auto t0 = Clock::now();
    ImapReply reply;
    bool sent = conn_.send(tag + " " + command + "\r\n");
    bool got = sent && read_reply(tag, reply);
    double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    bool ok = got && reply.status == "OK";
    report_.add(op, ok, dt);
    if (!ok) report_.error(op + ": " + (got ? reply.text : std::string("connection lost")));
    if (!got) conn_.close();
    if (!ok) return std::nullopt;
    return reply;
  }

  // APPEND with a synchronizing literal (RFC 3501 §6.3.11, §7.5): the message goes after the server's "+".
  bool append(const std::string& mailbox, const std::string& message) {
    std::string tag = next_tag();
    auto t0 = Clock::now();
    ImapReply reply;
    bool got = conn_.send(tag + " APPEND " + mailbox + " {" + std::to_string(message.size()) + "}\r\n") &&
               read_reply(tag, reply, true);
    if (got && reply.continuation) {
      reply = {};
      got = conn_.send(message) && conn_.send("\r\n") && read_reply(tag, reply);
    }
    double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    bool ok = got && reply.status == "OK";
    report_.add("append", ok, dt);
    if (!ok) report_.error("append: " + (got ? reply.text : std::string("connection lost")));
    if (!got) conn_.close();
    return ok;
  }

  bool login(const std::string& user) {
    return command("login", "LOGIN " + quoted(user) + " " + quoted(options_.password)).has_value();
  }
  bool logout() {
    if (!conn_.is_open()) return false;  // lost already, and counted then
    auto r = command("logout", "LOGOUT");
    conn_.close();
    return r.has_value();
  }

  std::uint64_t exists() const { return exists_; }

 private:
  static std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  std::string next_tag() { return "a" + std::to_string(++tag_); }

  // Keeps the message count from "* N EXISTS" and "* N EXPUNGE" (RFC 3501 §7.3.1, §7.4.1).
  void note_untagged(std::string_view line) {
    if (line.rfind("* ", 0) != 0) return;
    auto rest = line.substr(2);
    auto sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0) return;
    std::uint64_t n = 0;
    for (char c : rest.substr(0, sp)) {
      if (c < '0' || c > '9') return;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    auto what = rest.substr(sp + 1);
    if (what == "EXISTS")
      exists_ = n;
    else if (what == "EXPUNGE" && exists_ > 0)
      --exists_;
  }

  const Options& options_;
  Report& report_;
  Connection conn_;
  std::uint64_t tag_ = 0;
  std::uint64_t exists_ = 0;
};

std::string user_name(const Options& o, int client) {
  return o.user + std::to_string(client % std::max(1, o.users));
}

// A message of about `size` bytes with CRLF line ends (as IMAP sends it), different for every call.
std::string make_message(int client, std::uint64_t n, std::size_t size) {
  std::string m = "From: Load Generator <loadgen@bench.test>\r\nTo: user" + std::to_string(client) +
                  "@bench.test\r\nSubject: appended " + std::to_string(client) + "-" + std::to_string(n) +
                  "\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\nMessage-ID: <append-" +
                  std::to_string(client) + "-" + std::to_string(n) +
                  "@bench.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n";
  static constexpr std::string_view kText =
      "The quick brown fox jumps over the lazy dog, and the load generator counts every reply. ";
  while (m.size() + 2 < size) {
    std::size_t room = size - 2 - m.size();
    std::string_view piece = kText.substr(0, std::min(room, std::size_t{70}));
    m += piece;
    m += "\r\n";
  }
  return m;
}

void imap_login_client(const Options& o, Report& report, int client, Clock::time_point deadline) {
  ImapClient c(o, report);
  const std::string user = user_name(o, client);
  while (Clock::now() < deadline) {
    auto t0 = Clock::now();
    if (!c.connect()) continue;
    if (!c.login(user)) {
      c.close();
      continue;
    }
    if (c.logout()) report.add("session", true, std::chrono::duration<double>(Clock::now() - t0).count());
  }
}

void imap_mix_client(const Options& o, Report& report, int client, Clock::time_point deadline) {
  ImapClient c(o, report);
  const std::string user = user_name(o, client);
  std::mt19937_64 rng(0x5eed + static_cast<std::uint64_t>(client));
  std::uint64_t appended = 0;
  auto live = [&] { return Clock::now() < deadline; };
  while (live()) {
    if (!c.connect() || !c.login(user)) {
      c.close();
      continue;
    }
    // One round; every step checks the deadline, so the run ends within one command of it.
    while (live()) {
      auto sel = c.command("select", "SELECT INBOX");
      if (!sel) break;
      const std::uint64_t n_msgs = c.exists();
      if (n_msgs < 2) {
        report.error("select: the mailbox has " + std::to_string(n_msgs) + " messages");
        break;
      }
      if (!live()) break;
      auto hdr = c.command("fetch_headers", "FETCH 1:20 (FLAGS RFC822.SIZE BODY.PEEK[HEADER])");
      if (!hdr) break;
      std::size_t want = std::min<std::uint64_t>(20, n_msgs);
      if (hdr->literal_sizes.size() != want) {
        report.error("fetch_headers: " + std::to_string(hdr->literal_sizes.size()) + " headers for " +
                     std::to_string(want) + " messages");
      }
      bool broken = false;
      for (int k = 0; k < o.bodies_per_round && live(); ++k) {
        std::uint64_t n = 2 + rng() % (n_msgs - 1);
        auto body = c.command("fetch_body", "FETCH " + std::to_string(n) + " BODY[]");
        if (!body) {
          broken = true;
          break;
        }
        if (body->literal_sizes.size() != 1 || body->literal_sizes[0] == 0) {
          report.error("fetch_body: no body literal for message " + std::to_string(n));
        } else {
          report.count("body_bytes", body->literal_sizes[0]);
        }
      }
      if (broken || !live()) break;
      std::uint64_t n = 2 + rng() % (n_msgs - 1);
      if (!c.command("store", "STORE " + std::to_string(n) + " +FLAGS (\\Seen)")) break;
      if (!live()) break;
      if (!c.command("store", "STORE " + std::to_string(n) + " -FLAGS (\\Seen)")) break;
      if (!live()) break;
      if (!c.append("INBOX", make_message(client, ++appended, static_cast<std::size_t>(o.append_size))))
        break;
      if (!live()) break;
      // One out for the one in: the oldest message, so each round leaves the mailbox as large as it was.
      if (!c.command("store", "STORE 1 +FLAGS.SILENT (\\Deleted)")) break;
      auto ex = c.command("expunge", "EXPUNGE");
      if (!ex) break;
      if (std::count_if(ex->untagged.begin(), ex->untagged.end(),
                        [](const std::string& l) { return l.find(" EXPUNGE") != std::string::npos; }) != 1) {
        report.error("expunge: not one EXPUNGE response");
      }
      report.add("round", true, 0);
    }
    c.logout();
  }
}

// --- POP3 ---------------------------------------------------------------------------------------------

class Pop3Client {
 public:
  Pop3Client(const Options& o, Report& r) : options_(o), report_(r) {}

  bool connect() {
    if (!conn_.open(options_.host, options_.port)) {
      report_.error("connect failed");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return false;
    }
    std::string greeting;
    if (!conn_.line(greeting) || greeting.rfind("+OK", 0) != 0) {
      report_.error("greeting: " + greeting);
      conn_.close();
      return false;
    }
    return true;
  }
  void close() { conn_.close(); }

  // A single-line command; the reply's text after "+OK" in `*rest`.
  bool command(const std::string& op, const std::string& command, std::string* rest = nullptr) {
    auto t0 = Clock::now();
    std::string line;
    bool got = conn_.send(command + "\r\n") && conn_.line(line);
    bool ok = got && line.rfind("+OK", 0) == 0;
    report_.add(op, ok, std::chrono::duration<double>(Clock::now() - t0).count());
    if (!ok) report_.error(op + ": " + (got ? line : std::string("connection lost")));
    if (!got) conn_.close();
    if (ok && rest) *rest = line.substr(3);
    return ok;
  }
  // RETR n (RFC 1939 §7): the +OK line, then the message's lines up to the "." line. Returns its octets.
  std::optional<std::uint64_t> retr(std::uint64_t n) {
    auto t0 = Clock::now();
    std::string line;
    bool got = conn_.send("RETR " + std::to_string(n) + "\r\n") && conn_.line(line);
    bool ok = got && line.rfind("+OK", 0) == 0;
    std::uint64_t bytes = 0;
    if (ok) {
      for (;;) {
        if (!conn_.line(line)) {
          got = ok = false;
          break;
        }
        if (line == ".") break;
        bytes += line.size() + 2;
      }
    }
    report_.add("retr", ok, std::chrono::duration<double>(Clock::now() - t0).count());
    if (!ok) report_.error("retr: " + (got ? line : std::string("connection lost")));
    if (!got) conn_.close();
    if (!ok) return std::nullopt;
    return bytes;
  }

 private:
  const Options& options_;
  Report& report_;
  Connection conn_;
};

void pop3_client(const Options& o, Report& report, int client, Clock::time_point deadline) {
  Pop3Client c(o, report);
  const std::string user = user_name(o, client);
  while (Clock::now() < deadline) {
    auto t0 = Clock::now();
    if (!c.connect()) continue;
    std::string stat;
    if (!c.command("user", "USER " + user) || !c.command("pass", "PASS " + o.password) ||
        !c.command("stat", "STAT", &stat)) {
      c.close();
      continue;
    }
    std::uint64_t count = std::strtoull(stat.c_str(), nullptr, 10);
    if (count < static_cast<std::uint64_t>(o.retr)) {
      report.error("stat: " + std::to_string(count) + " messages, fewer than --retr");
    }
    std::uint64_t want = std::min<std::uint64_t>(count, static_cast<std::uint64_t>(o.retr));
    bool ok = true;
    std::uint64_t bytes = 0;
    for (std::uint64_t i = 1; i <= want && ok; ++i) {
      auto b = c.retr(i);
      ok = b.has_value();
      if (b) bytes += *b;
    }
    if (!ok) {
      c.close();
      continue;
    }
    if (c.command("quit", "QUIT")) {
      report.add("session", true, std::chrono::duration<double>(Clock::now() - t0).count());
      report.count("retr_bytes", bytes);
    }
    c.close();
  }
}

// --- the large mailbox ----------------------------------------------------------------------------------

int imap_select(const Options& o) {
  Report report;
  auto timed_select = [&](ImapClient& c, double& seconds) {
    auto t0 = Clock::now();
    bool ok = c.command("select", "SELECT INBOX").has_value();
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return ok;
  };
  double cold = 0, warm = 0;
  std::uint64_t exists_cold = 0, exists_warm = 0;
  ImapClient first(o, report), second(o, report);
  bool ok = first.connect() && first.login(o.user) && timed_select(first, cold);
  exists_cold = first.exists();
  if (ok) first.logout();
  ok = ok && second.connect() && second.login(o.user) && timed_select(second, warm);
  exists_warm = second.exists();
  std::cout << "{\"ok\": " << (ok ? "true" : "false") << ", \"cold\": " << cold << ", \"warm\": " << warm
            << ", \"exists_cold\": " << exists_cold << ", \"exists_warm\": " << exists_warm
            << ", \"report\": " << report.json(cold + warm) << "}" << std::endl;
  // Held open while the caller reads the server's memory; a line (or EOF) on stdin ends it.
  std::string line;
  std::getline(std::cin, line);
  if (ok) second.logout();
  return ok ? 0 : 1;
}

// --- main -----------------------------------------------------------------------------------------------

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "loadgen: " << why
            << "\nusage: loadgen imap-login|imap-mix|pop3|imap-select --port P [--host H] [--clients N]"
               " [--duration S] [--user PREFIX] [--users K] --password PW [--retr M]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  if (argc < 2) usage("no mode");
  Options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage("no value for " + a);
    std::string v = argv[++i];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::stoi(v);
    else if (a == "--clients")
      o.clients = std::stoi(v);
    else if (a == "--duration")
      o.duration = std::stod(v);
    else if (a == "--user")
      o.user = v;
    else if (a == "--users")
      o.users = std::stoi(v);
    else if (a == "--password")
      o.password = v;
    else if (a == "--retr")
      o.retr = std::stoi(v);
    else if (a == "--bodies")
      o.bodies_per_round = std::stoi(v);
    else if (a == "--append-size")
      o.append_size = std::stoi(v);
    else
      usage("unknown option " + a);
  }
  if (o.port <= 0) usage("--port is required");
  if (o.clients < 1 || o.users < 1 || o.duration <= 0) usage("bad --clients, --users or --duration");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  if (o.mode == "imap-select") return imap_select(o);
  void (*client)(const Options&, Report&, int, Clock::time_point) = nullptr;
  if (o.mode == "imap-login")
    client = imap_login_client;
  else if (o.mode == "imap-mix")
    client = imap_mix_client;
  else if (o.mode == "pop3")
    client = pop3_client;
  else
    usage("unknown mode " + o.mode);
  Report report;
  auto start = Clock::now();
  auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) threads.emplace_back([&, i] { client(o, report, i, deadline); });
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << report.json(elapsed) << std::endl;
  return 0;
}
