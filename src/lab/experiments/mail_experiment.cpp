// mail (Kurose & Ross §2.3, Figure 2.16): Alice's user agent hands a message to her mail server, which keeps
// it in its queue, looks up the MX record of Bob's domain and opens an SMTP connection to Bob's mail server,
// which puts it in Bob's mailbox. Then Bob's server goes down: a second message waits in Alice's server's
// queue with the error of its last try and the time of its next one; Bob's server comes back, and the
// message is delivered on that retry (RFC 5321 §4.5.4.1: the sender retries, the receiver does nothing).
//
// What is measured: the user agent's own conversation (smtp::client::deliver()'s C:/S: trace, AUTH on the
// submission port, RFC 6409); the MX answer through the lab's resolver; the server-to-server conversation
// as Bob's server recorded it (its transcript on the dashboard, the lines of Alice's server's address: the
// lab's switch keeps the peer's address); the message as it lies in Bob's Maildir (its Received:,
// DKIM-Signature and Authentication-Results headers); Alice's queue as the dashboard reads it
// (GET /api/mail) while Bob's server is down; the times of the switch and of the delivery.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/stream.hpp"
#include "core/transcript.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/table.hpp"
#include "smtp/client/deliver.hpp"

namespace endhost::lab {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::system_clock;
constexpr auto kConnectTimeout = std::chrono::milliseconds(5000);
constexpr auto kDeliveryWait = std::chrono::seconds(30);  // the first message: straight through
constexpr auto kQueueWait = std::chrono::seconds(20);     // the second: into the queue, tried, deferred
constexpr auto kRetryWait = std::chrono::seconds(90);     // after the switch is on: the next retry

std::int64_t unix_micros(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Collects the user agent's trace lines (deliver() writes C:/S: lines to a core::Transcript).
class Collect final : public core::TranscriptSink {
 public:
  struct Line {
    std::int64_t unix_micros;
    char who;
    std::string text;
  };
  void record(const core::TranscriptEntry& e) override {
    const char who = e.who == core::Speaker::Client ? 'C' : e.who == core::Speaker::Server ? 'S' : 'N';
    lines.push_back({e.unix_micros, who, std::string(e.text)});
  }
  std::vector<Line> lines;
};

// RFC 5322 §3.3 date-time in UTC: "Wed, 02 Dec 2026 17:10:00 +0000".
std::string rfc5322_date(Clock::time_point t) {
  const std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// A plain-text message (RFC 5322 §3.6: Date and From are required; Message-ID so it can be found again).
std::string make_message(const std::string& from, const std::string& to, const std::string& subject,
                         const std::string& message_id, const std::string& body, Clock::time_point now) {
  return fmt::format(
      "Date: {}\r\nFrom: Alice <{}>\r\nTo: Bob <{}>\r\nSubject: {}\r\nMessage-ID: <{}>\r\nMIME-Version: "
      "1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
      rfc5322_date(now), from, to, subject, message_id, body);
}

struct Submitted {
  smtp::client::DeliveryResult result;
  std::vector<Collect::Line> trace;
};

// The user agent's hop: a connection from the user's address (the dashboard host's) to the sender's
// submission port, AUTH as the lab's user, one transaction.
awaitable<Submitted> submit(const LabInfo::MailHost& server, std::optional<asio::ip::address> source,
                            const std::string& from, const std::string& to, const std::string& message) {
  Submitted out;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  const asio::ip::tcp::endpoint ep(asio::ip::make_address(server.address), server.submission_port);
  boost::system::error_code ec;
  socket.open(ep.protocol(), ec);
  if (!ec && source) socket.bind(asio::ip::tcp::endpoint(*source, 0), ec);
  if (!ec) {
    asio::steady_timer timer(executor, kConnectTimeout);
    timer.async_wait([&socket](boost::system::error_code e) {
      if (!e) socket.close();
    });
    auto [cec] = co_await socket.async_connect(ep, use_nothrow);
    timer.cancel();
    ec = cec;
  }
  if (ec) {
    out.result.failed_at = smtp::client::DeliveryResult::Stage::Connect;
    out.result.reply.text =
        fmt::format("cannot connect to {}:{}: {}", server.address, server.submission_port, ec.message());
    co_return out;
  }
  Collect sink;
  core::Transcript trace(&sink, "user agent");
  smtp::client::ClientOptions options;
  options.helo_name =
      "alice-laptop." + (server.domains.empty() ? std::string("lab") : server.domains.front());
  options.tls = smtp::client::TlsMode::None;  // AUTH in the clear is allowed on loopback (issue 11 §1)
  options.auth = std::make_pair(server.login, server.password);
  options.trace = &trace;
  options.trace_peer = fmt::format("{}:{}", server.host, server.submission_port);
  smtp::client::Transaction t;
  t.sender = from;
  t.recipients = {to};
  t.message = message;
  auto stream = std::make_unique<core::Stream>(std::move(socket));
  std::string peer = server.host;
  out.result = co_await smtp::client::deliver(std::move(stream), std::move(peer), t, options);
  out.trace = std::move(sink.lines);
  co_return out;
}

// The file in the user's Maildir (new/ or cur/) holding `message_id`, or "".
fs::path find_in_maildir(const std::string& mail_dir, const std::string& user,
                         const std::string& message_id) {
  const std::string needle = "<" + message_id + ">";
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(fs::path(mail_dir) / "users" / user / sub, ec)) {
      std::ifstream in(f.path(), std::ios::binary);
      std::string head(16384, '\0');
      in.read(head.data(), static_cast<std::streamsize>(head.size()));
      head.resize(static_cast<std::size_t>(in.gcount()));
      if (head.find(needle) != std::string::npos) return f.path();
    }
  }
  return {};
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer t(executor, d);
  co_await t.async_wait(use_nothrow);
}

awaitable<fs::path> wait_in_maildir(const LabInfo::MailHost& bob, std::string message_id,
                                    std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    fs::path found = find_in_maildir(bob.mail_dir, bob.login, message_id);
    if (!found.empty() || Clock::now() >= deadline) co_return found;
    co_await sleep_for(std::chrono::milliseconds(100));
  }
}

// The header section of a delivered message: the lines up to the empty one (continuations kept).
std::vector<std::string> header_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    out.push_back(line);
  }
  return out;
}

// The queue entry of Alice's server that holds a message for `to` and says why its last try failed, from
// the dashboard's /api/mail; null when there is none (yet).
std::optional<json::object> waiting_entry(const json::value& view, const std::string& host,
                                          const std::string& to) {
  const json::value* servers = view.as_object().if_contains("servers");
  if (!servers || !servers->is_array()) return std::nullopt;
  for (const auto& s : servers->as_array()) {
    const json::object& so = s.as_object();
    if (!so.contains("host") || so.at("host") != json::value(host)) continue;
    const json::value* queue = so.if_contains("queue");
    if (!queue || !queue->is_array()) return std::nullopt;
    for (const auto& e : queue->as_array()) {
      const json::value* rcpts = e.as_object().if_contains("recipients");
      if (!rcpts || !rcpts->is_array()) continue;
      for (const auto& r : rcpts->as_array()) {
        const json::object& ro = r.as_object();
        const json::value* addr = ro.if_contains("address");
        const json::value* err = ro.if_contains("last_error");
        if (addr && addr->is_string() && addr->as_string() == to && err && err->is_string() &&
            !err->as_string().empty())
          return e.as_object();
      }
    }
  }
  return std::nullopt;
}

std::string short_text(std::string_view s, std::size_t n = 90) {
  std::string out(s.substr(0, n));
  if (s.size() > n) out += "…";
  return out;
}

}  // namespace

awaitable<int> mail_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/, std::ostream& out,
                               json::object& data) {
  // Alice's server is the one whose user is alice (else the first), Bob's the next one.
  const LabInfo::MailHost* alice = nullptr;
  const LabInfo::MailHost* bob = nullptr;
  for (const auto& m : lab.mail) {
    if (m.login == "alice" && !alice) alice = &m;
  }
  if (!alice && !lab.mail.empty()) alice = &lab.mail.front();
  for (const auto& m : lab.mail) {
    if (&m != alice && !bob && !m.login.empty() && !m.domains.empty()) bob = &m;
  }
  if (!alice || !bob || alice->login.empty() || alice->domains.empty()) {
    out << "The lab needs two mail hosts with a login each (mail = { login, password }); this one has "
        << lab.mail.size() << ".\n";
    co_return 2;
  }
  if (!lab.dashboard) {
    out << "The mail experiment takes Bob's server down through the dashboard; this lab has none.\n";
    co_return 2;
  }
  const std::string from = alice->login + "@" + alice->domains.front();
  const std::string to = bob->login + "@" + bob->domains.front();
  const auto t0 = Clock::now();
  auto t_ms = [&](std::int64_t micros) { return (micros - unix_micros(t0)) / 1000.0; };
  auto now_ms = [&] { return t_ms(unix_micros(Clock::now())); };
  const std::string host_suffix = fmt::format("{}.{}", unix_micros(t0), ::getpid());
  std::string bob_host_name = bob->host;
  // A run cut short may have left Bob's server down.
  auto on_first = co_await set_server_switch(lab, bob_host_name, true);
  if (!on_first) {
    out << "cannot reach Bob's server's switch: " << on_first.error() << "\n";
    co_return 1;
  }
  const auto seq = co_await read_transcript_seq(lab);

  // --- 1. Alice → Bob, hop by hop ----------------------------------------------------------------------
  const std::string id1 = "first." + host_suffix + "@" + alice->domains.front();
  const std::string msg1 =
      make_message(from, to, "Hello Bob", id1,
                   "Bob,\r\n\r\nThis went user agent -> my server -> yours -> your mailbox.\r\n"
                   "\r\nAlice\r\n",
                   Clock::now());
  const double submit1_ms = now_ms();
  Submitted s1 = co_await submit(*alice, lab.client_address(), from, to, msg1);
  const double submitted1_ms = now_ms();
  std::string domain = bob->domains.front(), mx_type = "MX";
  auto mx = co_await ask_dns(lab, std::move(domain), std::move(mx_type));
  fs::path delivered1;
  if (s1.result.delivered()) delivered1 = co_await wait_in_maildir(*bob, id1, kDeliveryWait);
  const double delivered1_ms = now_ms();
  std::vector<TranscriptLine> lines;
  if (seq) {
    auto got = co_await read_transcripts(lab, *seq);
    if (got) lines = std::move(*got);
  }
  // Bob's server's side of the server-to-server conversation: its lines with Alice's server's address.
  const std::string bob_service = bob->host + "/mail";
  const std::string alice_prefix = alice->address + ":";
  std::vector<const TranscriptLine*> relay;
  for (const auto& l : lines) {
    if (l.service == bob_service && l.peer.rfind(alice_prefix, 0) == 0) relay.push_back(&l);
  }

  json::array conversation;
  for (const auto& l : s1.trace) {
    conversation.push_back(json::object{{"t_ms", t_ms(l.unix_micros)},
                                        {"hop", "user agent"},
                                        {"from", l.who == 'C' ? "user agent" : alice->host},
                                        {"to", l.who == 'C' ? alice->host : "user agent"},
                                        {"who", std::string(1, l.who)},
                                        {"text", l.text}});
  }
  for (const auto* l : relay) {
    conversation.push_back(json::object{{"t_ms", t_ms(l->unix_micros)},
                                        {"hop", "relay"},
                                        {"from", l->who == 'C' ? alice->host : bob->host},
                                        {"to", l->who == 'C' ? bob->host : alice->host},
                                        {"who", std::string(1, l->who)},
                                        {"text", l->text}});
  }
  std::vector<std::string> headers =
      delivered1.empty() ? std::vector<std::string>{} : header_lines(delivered1);

  out << fmt::format("Alice ({}) sends to Bob ({}): each hop of Figure 2.16\n\n", from, to);
  Table hops({"hop", "from", "to", "what", "ms"});
  hops.add({"1", "user agent", fmt::format("{} :{}", alice->host, alice->submission_port),
            s1.result.delivered() ? "SMTP submission, AUTH " + alice->login + ": " +
                                        short_text(smtp::client::reply_summary(s1.result.reply), 60)
                                  : "failed: " + short_text(smtp::client::reply_summary(s1.result.reply), 60),
            ms(submitted1_ms - submit1_ms)});
  std::string mx_text = mx ? *mx : "no answer: " + mx.error();
  std::string mx_line;
  for (std::istringstream in(mx_text); std::getline(in, mx_line);) {
    if (mx_line.find("MX") != std::string::npos && mx_line.find(';') != 0) break;
  }
  hops.add(
      {"2", alice->host, "resolver", "MX " + bob->domains.front() + "? " + short_text(mx_line, 60), "—"});
  hops.add({"3", alice->host, fmt::format("{} :{}", bob->host, bob->port),
            fmt::format("SMTP relay, {} lines seen by Bob's server", relay.size()), "—"});
  hops.add({"4", bob->host, bob->login + "'s Maildir",
            delivered1.empty() ? "not delivered within 30 s" : "new/" + delivered1.filename().string(),
            delivered1.empty() ? "—" : ms(delivered1_ms - submit1_ms)});
  out << hops.render() << "\n";
  out << "The user agent's conversation (submission port, RFC 6409):\n";
  for (const auto& l : s1.trace) out << "  " << l.who << ": " << l.text << "\n";
  out << "\nAlice's server and Bob's server (Bob's server's transcript):\n";
  for (const auto* l : relay) out << "  " << l->who << ": " << l->text << "\n";
  if (relay.empty()) out << "  (none recorded: is the dashboard's transcript ring too short?)\n";
  out << "\nIn Bob's mailbox, the headers the servers added:\n";
  for (const auto& h : headers) {
    if (h.rfind("Received:", 0) == 0 || h.rfind("Return-Path:", 0) == 0 ||
        h.rfind("Authentication-Results:", 0) == 0 || h.rfind("DKIM-Signature:", 0) == 0 ||
        (!h.empty() && (h[0] == ' ' || h[0] == '\t')))
      out << "  " << short_text(h, 110) << "\n";
  }

  // --- 2. Bob's server down: the message waits in Alice's queue -------------------------------------------
  auto off = co_await set_server_switch(lab, bob_host_name, false);
  const double off_ms = now_ms();
  const std::string id2 = "second." + host_suffix + "@" + alice->domains.front();
  const std::string msg2 =
      make_message(from, to, "Are you there?", id2,
                   "Bob,\r\n\r\nYour server was down when I sent this.\r\n\r\nAlice\r\n", Clock::now());
  const double submit2_ms = now_ms();
  Submitted s2 = co_await submit(*alice, lab.client_address(), from, to, msg2);
  std::optional<json::object> waiting;
  double waiting_ms = 0;
  const auto queue_deadline = Clock::now() + kQueueWait;
  while (off && s2.result.delivered() && !waiting && Clock::now() < queue_deadline) {
    auto view = co_await read_mail_view(lab);
    if (view) waiting = waiting_entry(*view, alice->host, to);
    if (waiting) {
      waiting_ms = now_ms();
      break;
    }
    co_await sleep_for(std::chrono::milliseconds(200));
  }
  const bool early = !find_in_maildir(bob->mail_dir, bob->login, id2).empty();

  // --- 3. Bob's server back: delivered on the next retry ---------------------------------------------------
  auto on = co_await set_server_switch(lab, bob_host_name, true);
  const double on_ms = now_ms();
  fs::path delivered2;
  if (on && s2.result.delivered()) delivered2 = co_await wait_in_maildir(*bob, id2, kRetryWait);
  const double delivered2_ms = now_ms();

  out << fmt::format("\nBob's server down ({} refuses connections), a second message:\n", bob->host);
  if (!off) out << "  cannot take it down: " << off.error() << "\n";
  out << "  submitted: " << short_text(smtp::client::reply_summary(s2.result.reply), 80) << "\n";
  double next_try_ms = 0;
  if (waiting) {
    const json::object& e = *waiting;
    std::string id = e.contains("id") && e.at("id").is_string() ? std::string(e.at("id").as_string()) : "?";
    out << fmt::format("  in {}'s queue after {} ms: id {}\n", alice->host, ms(waiting_ms - submit2_ms), id);
    for (const auto& r : e.at("recipients").as_array()) {
      const json::object& ro = r.as_object();
      std::string err = ro.at("last_error").is_string() ? std::string(ro.at("last_error").as_string()) : "";
      std::string when = "?";
      if (const json::value* nt = ro.if_contains("next_try_ms"); nt && nt->is_number()) {
        next_try_ms = nt->to_number<double>() - unix_micros(t0) / 1000.0;
        when = fmt::format("in {:.1f} s", (next_try_ms - waiting_ms) / 1000.0);
      }
      out << fmt::format("    {}: last error \"{}\", next try {}\n",
                         std::string(ro.at("address").as_string()), short_text(err, 80), when);
    }
  } else {
    out << "  not seen waiting in the queue within 20 s\n";
  }
  out << fmt::format("\nBob's server back at {} ms: ", on_ms > 0 ? static_cast<long>(on_ms) : 0L);
  if (!delivered2.empty())
    out << fmt::format("delivered {} ms later, on the queue's retry (new/{})\n", ms(delivered2_ms - on_ms),
                       delivered2.filename().string());
  else
    out << "not delivered within 90 s\n";

  const bool ok = s1.result.delivered() && !delivered1.empty() && !relay.empty() && off &&
                  waiting.has_value() && !early && on && !delivered2.empty();
  json::array header_array;
  for (const auto& h : headers) header_array.push_back(json::string(h));
  data["mail"] = json::object{
      {"from", from},
      {"to", to},
      {"alice", json::object{{"host", alice->host}, {"address", alice->address}}},
      {"bob", json::object{{"host", bob->host}, {"address", bob->address}}},
      {"mx", mx ? json::value(*mx) : json::value(nullptr)},
      {"first",
       json::object{{"submitted_ms", submit1_ms},
                    {"accepted_ms", submitted1_ms},
                    {"reply", smtp::client::reply_summary(s1.result.reply)},
                    {"delivered_ms", delivered1.empty() ? json::value(nullptr) : json::value(delivered1_ms)},
                    {"maildir_file", delivered1.empty() ? "" : delivered1.filename().string()},
                    {"headers", std::move(header_array)}}},
      {"conversation", std::move(conversation)},
      {"second",
       json::object{
           {"down_ms", off_ms},
           {"submitted_ms", submit2_ms},
           {"reply", smtp::client::reply_summary(s2.result.reply)},
           {"waiting_ms", waiting ? json::value(waiting_ms) : json::value(nullptr)},
           {"queue_entry", waiting ? json::value(*waiting) : json::value(nullptr)},
           {"next_try_ms", waiting && next_try_ms != 0 ? json::value(next_try_ms) : json::value(nullptr)},
           {"delivered_before_up", early},
           {"up_ms", on_ms},
           {"delivered_ms", delivered2.empty() ? json::value(nullptr) : json::value(delivered2_ms)}}}};
  co_return ok ? 0 : 1;
}

}  // namespace endhost::lab
