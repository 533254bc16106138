// mail-access (Kurose & Ross §2.3.4, mail access protocols): the last hop, Bob's user agent getting his mail
// from his server. The same three messages from Alice (two short notes and one with a 200 KiB attachment)
// are delivered to Bob by SMTP (Alice's submission port, relayed by MX), then read three ways, each from a
// fresh mailbox: POP3 download-and-delete, POP3 download-and-keep (and the next check, which only UIDL can
// tell has nothing new), and IMAP (a folder made on the server, a message moved into it, a message flagged,
// and the attachment's first 1 KiB fetched by BODY.PEEK[2]<0.1024>, RFC 9051 §6.4.5).
//
// What is measured: the client's own commands and, on its own socket, the bytes it sent and received (the
// client is real protocol code: text::Pop3ReplyParser and text::ImapResponseParser over a core::Dialer
// connection, mail_conversation.hpp); what stays on the server, read from Bob's Maildirs afterwards
// (folders, messages, flags from the file names: mailbox_state.hpp), not from the client. Before each way
// the experiment empties Bob's INBOX and removes its folder over IMAP, uncounted.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <vector>

#include "core/dialer.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/mail_access_messages.hpp"
#include "lab/experiments/mail_conversation.hpp"
#include "lab/experiments/mail_replies.hpp"
#include "lab/experiments/mailbox_state.hpp"
#include "lab/experiments/table.hpp"
#include "mail/message/base64.hpp"
#include "smtp/client/deliver.hpp"

namespace endhost::lab {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::system_clock;
constexpr auto kTimeout = std::chrono::milliseconds(10'000);
constexpr auto kDeliveryWait = std::chrono::seconds(60);  // three messages through Alice's server
constexpr const char* kFolder = "Course";                 // the folder Bob files a message in over IMAP
constexpr std::size_t kPartialBytes = 1024;               // BODY.PEEK[2]<0.1024>
constexpr std::size_t kHeadRead = 16 * 1024;              // of a Maildir file, to find its Message-ID

// One way of reading the mail: the connections' exchanges, the bytes, what the client got and kept.
struct Run {
  std::string mode;   // "pop3-delete", "pop3-keep", "pop3-keep-check", "imap"
  std::string title;  // for the table
  std::string address;
  std::vector<MailConversation::Exchange> exchanges;
  std::size_t connections = 0;
  std::uint64_t sent = 0, received = 0;
  std::uint64_t message_bytes = 0;  // bodies (RETR) or literals (FETCH): mail, not protocol
  std::size_t messages_downloaded = 0;
  std::vector<FolderState> after;
  std::string on_client;  // what the client now holds (the model's "state on the client")
  std::string error;
  // IMAP's partial fetch.
  std::uint64_t partial_bytes = 0;
  bool partial_matches = false;
  std::string bodystructure;
};

std::string imap_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void take(Run& run, const MailConversation& c) {
  ++run.connections;
  run.sent += c.bytes_sent();
  run.received += c.bytes_received();
  for (const auto& e : c.exchanges()) run.exchanges.push_back(e);
}

awaitable<Expected<std::unique_ptr<MailConversation>, std::string>> dial(
    const std::string& address, std::uint16_t port, std::optional<asio::ip::address> source) {
  boost::system::error_code ec;
  const auto a = asio::ip::make_address(address, ec);
  if (ec) co_return Unexpected("not an address: " + address);
  co_return co_await MailConversation::open(asio::ip::tcp::endpoint(a, port), source, kTimeout);
}

// ---- Setting up: an empty mailbox, then the three messages by SMTP -------------------------------------

// Over IMAP and uncounted: the experiment's folder removed, INBOX expunged, so each way starts alike.
awaitable<Expected<void, std::string>> empty_mailbox(const LabInfo::MailHost& bob,
                                                     std::optional<asio::ip::address> source) {
  auto c = co_await dial(bob.address, bob.imap_port, source);
  if (!c) co_return Unexpected("IMAP: " + c.error());
  auto g = co_await (*c)->imap_greeting();
  if (!g) co_return Unexpected(g.error());
  std::string login_command = "LOGIN " + imap_quote(bob.login) + " " + imap_quote(bob.password);
  auto login = co_await (*c)->imap(std::move(login_command));
  if (!login) co_return Unexpected(login.error());
  if (!login->ok()) co_return Unexpected("IMAP LOGIN: " + login->done.text);
  std::string delete_command = std::string("DELETE ") + kFolder;
  auto deleted = co_await (*c)->imap(std::move(delete_command));  // NO when there is none
  if (!deleted) co_return Unexpected(deleted.error());
  auto selected = co_await (*c)->imap("SELECT INBOX");
  if (!selected || !selected->ok())
    co_return Unexpected("IMAP SELECT INBOX: " + (selected ? selected->done.text : selected.error()));
  std::uint64_t exists = 0;
  for (const auto& u : selected->untagged) exists = exists_count(u.text).value_or(exists);
  if (exists > 0) {
    auto stored = co_await (*c)->imap("STORE 1:* +FLAGS.SILENT (\\Deleted)");
    if (!stored || !stored->ok()) co_return Unexpected(std::string("IMAP STORE \\Deleted failed"));
    auto expunged = co_await (*c)->imap("EXPUNGE");
    if (!expunged || !expunged->ok()) co_return Unexpected(std::string("IMAP EXPUNGE failed"));
  }
  auto bye = co_await (*c)->imap("LOGOUT");  // the mailbox is empty already; a lost BYE changes nothing
  (void)bye;
  (*c)->close();
  co_return Expected<void, std::string>{};
}

// Alice's user agent: each message to her server's submission port (AUTH, RFC 6409), which relays it to
// Bob's server by MX, as in the mail experiment.
awaitable<Expected<void, std::string>> submit(const LabInfo::MailHost& alice,
                                              std::optional<asio::ip::address> source,
                                              const std::string& from, const std::string& to,
                                              const AccessMessage& message) {
  core::DialOptions options;
  options.timeout = kTimeout;
  options.local_address = source;
  const core::Dialer dialer(options);
  boost::system::error_code ec;
  const auto a = asio::ip::make_address(alice.address, ec);
  if (ec) co_return Unexpected("not an address: " + alice.address);
  auto stream = co_await dialer.dial(asio::ip::tcp::endpoint(a, alice.submission_port));
  if (!stream) co_return Unexpected(stream.error().message);
  smtp::client::ClientOptions client;
  client.helo_name = "alice-laptop." + (alice.domains.empty() ? std::string("lab") : alice.domains.front());
  client.tls = smtp::client::TlsMode::None;  // AUTH in the clear is allowed on loopback
  client.auth = std::make_pair(alice.login, alice.password);
  smtp::client::Transaction t;
  t.sender = from;
  t.recipients = {to};
  t.message = message.text;
  std::string peer = alice.host;
  auto result = co_await smtp::client::deliver(std::move(*stream), std::move(peer), t, client);
  if (!result.delivered()) co_return Unexpected("submission: " + smtp::client::reply_summary(result.reply));
  co_return Expected<void, std::string>{};
}

// Whether every Message-ID is in a file of Bob's INBOX (new/ or cur/).
bool all_delivered(const std::string& inbox, const std::vector<AccessMessage>& messages) {
  std::set<std::string> missing;
  for (const auto& m : messages) missing.insert(m.message_id);
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(fs::path(inbox) / sub, ec)) {
      std::ifstream in(f.path(), std::ios::binary);
      std::string head(kHeadRead, '\0');
      in.read(head.data(), static_cast<std::streamsize>(head.size()));
      head.resize(static_cast<std::size_t>(in.gcount()));
      for (auto it = missing.begin(); it != missing.end();) {
        it = head.find(*it) != std::string::npos ? missing.erase(it) : std::next(it);
      }
    }
  }
  return missing.empty();
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer t(executor, d);
  co_await t.async_wait(use_nothrow);
}

// A fresh mailbox with the three messages in it, or why not.
awaitable<Expected<std::vector<AccessMessage>, std::string>> prepare(const LabInfo::MailHost& alice,
                                                                     const LabInfo::MailHost& bob,
                                                                     std::optional<asio::ip::address> source,
                                                                     const std::string& run_id) {
  auto emptied = co_await empty_mailbox(bob, source);
  if (!emptied) co_return Unexpected("emptying Bob's mailbox: " + emptied.error());
  const std::string from = alice.login + "@" + alice.domains.front();
  const std::string to = bob.login + "@" + bob.domains.front();
  auto messages = mail_access_messages(from, to, run_id, alice.domains.front(),
                                       std::chrono::floor<std::chrono::seconds>(Clock::now()));
  for (const auto& m : messages) {
    auto sent = co_await submit(alice, source, from, to, m);
    if (!sent) co_return Unexpected(sent.error());
  }
  const std::string inbox = bob.mail_dir + "/users/" + bob.login;
  const auto deadline = Clock::now() + kDeliveryWait;
  while (!all_delivered(inbox, messages)) {
    if (Clock::now() >= deadline)
      co_return Unexpected(
          fmt::format("the messages were not in Bob's mailbox within {} s", kDeliveryWait.count()));
    co_await sleep_for(std::chrono::milliseconds(100));
  }
  co_return messages;
}

// ---- POP3 (RFC 1939) -------------------------------------------------------------------------------------

// "+OK 3 1234" (STAT, §5) → 3.
std::optional<std::uint64_t> stat_count(const std::string& text) {
  std::istringstream in(text);
  std::uint64_t n = 0;
  if (in >> n) return n;
  return std::nullopt;
}

// The unique-id listing (UIDL, §7): "1 <uid>" lines → the uids.
std::vector<std::string> uidl_ids(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string n, id;
    if (l >> n >> id) out.push_back(id);
  }
  return out;
}

awaitable<Expected<void, std::string>> pop3_login(MailConversation& c, const LabInfo::MailHost& bob) {
  auto g = co_await c.pop3_greeting();
  if (!g) co_return Unexpected(g.error());
  if (!g->ok) co_return Unexpected("POP3 greeting: -ERR " + g->text);
  std::string user_command = "USER " + bob.login;
  auto user = co_await c.pop3(std::move(user_command));
  if (!user || !user->ok) co_return Unexpected("POP3 USER: " + (user ? user->text : user.error()));
  std::string pass_command = "PASS " + bob.password;
  auto pass = co_await c.pop3(std::move(pass_command));
  if (!pass || !pass->ok) co_return Unexpected("POP3 PASS: " + (pass ? pass->text : pass.error()));
  co_return Expected<void, std::string>{};
}

// Download-and-delete (§6 RETR, DELE; the deletions happen at QUIT, in UPDATE state) or download-and-keep
// (UIDL, so that the next session can tell what it has seen: the state is the client's). `known` gets the
// UIDLs a keeping client remembers.
awaitable<Expected<void, std::string>> pop3_steps(MailConversation& conv, Run& run,
                                                  const LabInfo::MailHost& bob, bool keep,
                                                  std::vector<std::string>& known) {
  auto in = co_await pop3_login(conv, bob);
  if (!in) co_return in;
  auto stat = co_await conv.pop3("STAT");
  if (!stat || !stat->ok) co_return Unexpected("POP3 STAT: " + (stat ? stat->text : stat.error()));
  const std::uint64_t count = stat_count(stat->text).value_or(0);
  auto listing = co_await conv.pop3(keep ? "UIDL" : "LIST", true);
  if (!listing || !listing->ok) co_return Unexpected(std::string("POP3 LIST/UIDL failed"));
  if (keep) known = uidl_ids(listing->body);
  for (std::uint64_t i = 1; i <= count; ++i) {
    std::string retr_command = fmt::format("RETR {}", i);
    auto retr = co_await conv.pop3(std::move(retr_command), true);
    if (!retr || !retr->ok) co_return Unexpected(fmt::format("POP3 RETR {} failed", i));
    run.message_bytes += retr->body_size;
    ++run.messages_downloaded;
    if (!keep) {
      std::string dele_command = fmt::format("DELE {}", i);
      auto dele = co_await conv.pop3(std::move(dele_command));
      if (!dele || !dele->ok) co_return Unexpected(fmt::format("POP3 DELE {} failed", i));
    }
  }
  auto quit = co_await conv.pop3("QUIT");
  if (!quit || !quit->ok) co_return Unexpected("POP3 QUIT: " + (quit ? quit->text : quit.error()));
  co_return Expected<void, std::string>{};
}

// Download-and-delete (§6 RETR, DELE; the deletions happen at QUIT, in UPDATE state) or download-and-keep
// (UIDL, so that the next session can tell what it has seen: the state is the client's). `known` gets the
// UIDLs a keeping client remembers.
awaitable<Expected<void, std::string>> pop3_read(Run& run, const LabInfo::MailHost& bob,
                                                 std::optional<asio::ip::address> source, bool keep,
                                                 std::vector<std::string>& known) {
  auto c = co_await dial(bob.address, bob.pop3_port, source);
  if (!c) co_return Unexpected("POP3: " + c.error());
  auto outcome = co_await pop3_steps(**c, run, bob, keep, known);
  (*c)->close();
  take(run, **c);
  co_return outcome;
}

// The keeping client's next check: UIDL against the ids it remembers; nothing new, nothing downloaded.
awaitable<Expected<std::size_t, std::string>> pop3_check(Run& run, const LabInfo::MailHost& bob,
                                                         std::optional<asio::ip::address> source,
                                                         const std::vector<std::string>& known) {
  auto c = co_await dial(bob.address, bob.pop3_port, source);
  if (!c) co_return Unexpected("POP3: " + c.error());
  MailConversation& conv = **c;
  std::size_t fresh = 0;
  std::string error;
  auto in = co_await pop3_login(conv, bob);
  Expected<Pop3Reply, std::string> listing = Unexpected(std::string("not logged in"));
  if (in) listing = co_await conv.pop3("UIDL", true);
  if (!in) {
    error = in.error();
  } else if (!listing || !listing->ok) {
    error = "POP3 UIDL failed";
  } else {
    for (const auto& id : uidl_ids(listing->body))
      fresh += std::find(known.begin(), known.end(), id) == known.end();
    auto quit = co_await conv.pop3("QUIT");
    if (!quit || !quit->ok) error = "POP3 QUIT failed";
  }
  conv.close();
  take(run, conv);
  if (!error.empty()) co_return Unexpected(error);
  co_return fresh;
}

// ---- IMAP (RFC 9051) -------------------------------------------------------------------------------------

struct Listed {
  std::uint64_t uid = 0;
  std::uint64_t size = 0;
  std::string subject;
};

Expected<void, std::string> imap_failed(const std::string& what,
                                        const Expected<MailConversation::ImapResult, std::string>& r) {
  return Unexpected("IMAP " + what + ": " + (r ? r->done.text : r.error()));
}

awaitable<Expected<void, std::string>> imap_steps(MailConversation& conv, Run& run,
                                                  const LabInfo::MailHost& bob,
                                                  const std::vector<AccessMessage>& messages) {
  auto g = co_await conv.imap_greeting();
  if (!g) co_return Unexpected(g.error());
  std::string login_command = "LOGIN " + imap_quote(bob.login) + " " + imap_quote(bob.password);
  auto login = co_await conv.imap(std::move(login_command));
  if (!login || !login->ok()) co_return imap_failed("LOGIN", login);
  // A folder on the server (§6.3.4), where every client of Bob's will see it.
  std::string create_command = std::string("CREATE ") + kFolder;
  auto created = co_await conv.imap(std::move(create_command));
  if (!created || !created->ok()) co_return imap_failed("CREATE", created);
  auto selected = co_await conv.imap("SELECT INBOX");
  if (!selected || !selected->ok()) co_return imap_failed("SELECT", selected);
  // What a client lists: sizes, flags and a header field, not the messages (§6.4.5).
  auto listed = co_await conv.imap("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
  if (!listed || !listed->ok()) co_return imap_failed("FETCH", listed);
  std::vector<Listed> all;
  for (const auto& u : listed->untagged) {
    run.message_bytes += u.literal_bytes;
    auto uid = fetch_number(u.text, "UID");
    auto size = fetch_number(u.text, "RFC822.SIZE");
    if (!uid || !size) continue;
    all.push_back({*uid, *size, u.literals.empty() ? std::string() : u.literals.front()});
  }
  auto find = [&](const AccessMessage& m) -> const Listed* {
    for (const auto& l : all) {
      if (l.subject.find(m.subject) != std::string::npos) return &l;
    }
    return nullptr;
  };
  const Listed* first = find(messages[0]);
  const Listed* second = find(messages[1]);
  const Listed* large = find(messages[2]);
  if (!first || !second || !large)
    co_return Unexpected(fmt::format("IMAP: {} of the three messages listed", all.size()));
  // The first note read whole (BODY[] sets \Seen, §6.4.5).
  std::string read_command = fmt::format("UID FETCH {} BODY[]", first->uid);
  auto read = co_await conv.imap(std::move(read_command));
  if (!read || !read->ok()) co_return imap_failed("UID FETCH BODY[]", read);
  for (const auto& u : read->untagged) run.message_bytes += u.literal_bytes;
  ++run.messages_downloaded;
  // The large one's structure, then 1 KiB of its attachment (part 2), leaving it unread (PEEK).
  std::string structure_command = fmt::format("UID FETCH {} BODYSTRUCTURE", large->uid);
  auto structure = co_await conv.imap(std::move(structure_command));
  if (!structure || !structure->ok()) co_return imap_failed("UID FETCH BODYSTRUCTURE", structure);
  for (const auto& u : structure->untagged) {
    if (auto s = fetch_list(u.text, "BODYSTRUCTURE")) run.bodystructure = *s;
  }
  std::string partial_command = fmt::format("UID FETCH {} BODY.PEEK[2]<0.{}>", large->uid, kPartialBytes);
  auto partial = co_await conv.imap(std::move(partial_command));
  if (!partial || !partial->ok()) co_return imap_failed("UID FETCH BODY.PEEK[2]<0.1024>", partial);
  const std::string encoded = mail::message::base64_encode(mail_access_attachment(), 76);
  for (const auto& u : partial->untagged) {
    run.message_bytes += u.literal_bytes;
    if (u.literals.empty()) continue;
    run.partial_bytes = u.literal_bytes;
    run.partial_matches = u.literals.front() == encoded.substr(0, kPartialBytes);
  }
  // The second note filed in the folder (MOVE, RFC 6851), the large one flagged (§6.4.6).
  std::string move_command = fmt::format("UID MOVE {} {}", second->uid, kFolder);
  auto moved = co_await conv.imap(std::move(move_command));
  if (!moved || !moved->ok()) co_return imap_failed("UID MOVE", moved);
  std::string flag_command = fmt::format("UID STORE {} +FLAGS (\\Flagged)", large->uid);
  auto flagged = co_await conv.imap(std::move(flag_command));
  if (!flagged || !flagged->ok()) co_return imap_failed("UID STORE", flagged);
  auto bye = co_await conv.imap("LOGOUT");
  if (!bye || !bye->ok()) co_return imap_failed("LOGOUT", bye);
  co_return Expected<void, std::string>{};
}

awaitable<Expected<void, std::string>> imap_read(Run& run, const LabInfo::MailHost& bob,
                                                 std::optional<asio::ip::address> source,
                                                 const std::vector<AccessMessage>& messages) {
  auto c = co_await dial(bob.address, bob.imap_port, source);
  if (!c) co_return Unexpected("IMAP: " + c.error());
  auto outcome = co_await imap_steps(**c, run, bob, messages);
  (*c)->close();
  take(run, **c);
  co_return outcome;
}

// ---- Output ------------------------------------------------------------------------------------------

std::string folders_line(const std::vector<FolderState>& after) {
  return describe_state(after, {"INBOX", kFolder});
}

const FolderState* folder(const Run& r, std::string_view name) {
  for (const auto& f : r.after) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

json::object run_json(const Run& r) {
  json::array exchanges, folders;
  for (const auto& e : r.exchanges) {
    exchanges.push_back(
        json::object{{"command", e.command}, {"sent", e.sent}, {"received", e.received}, {"reply", e.reply}});
  }
  for (const auto& f : r.after) {
    json::array flags;
    for (const auto& m : f.flags) flags.push_back(json::string(m));
    folders.push_back(
        json::object{{"name", f.name}, {"messages", f.messages()}, {"flags", std::move(flags)}});
  }
  json::object o{{"mode", r.mode},
                 {"title", r.title},
                 {"address", r.address},
                 {"connections", r.connections},
                 {"commands", std::count_if(r.exchanges.begin(), r.exchanges.end(),
                                            [](const auto& e) { return !e.command.empty(); })},
                 {"sent", r.sent},
                 {"received", r.received},
                 {"message_bytes", r.message_bytes},
                 {"messages_downloaded", r.messages_downloaded},
                 {"on_client", r.on_client},
                 {"exchanges", std::move(exchanges)},
                 {"after", std::move(folders)},
                 {"error", r.error.empty() ? json::value(nullptr) : json::value(r.error)}};
  if (r.mode == "imap") {
    o["partial"] = json::object{{"requested", kPartialBytes},
                                {"bytes", r.partial_bytes},
                                {"matches_attachment", r.partial_matches},
                                {"bodystructure", r.bodystructure}};
  }
  return o;
}

}  // namespace

awaitable<int> mail_access_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/,
                                      std::ostream& out, json::object& data) {
  // Bob's server is the one whose user is bob, Alice's the one whose user is alice (else the others).
  const LabInfo::MailHost* alice = nullptr;
  const LabInfo::MailHost* bob = nullptr;
  for (const auto& m : lab.mail) {
    if (m.login == "bob" && !bob) bob = &m;
    if (m.login == "alice" && !alice) alice = &m;
  }
  for (const auto& m : lab.mail) {
    if (!m.login.empty() && !m.domains.empty() && &m != alice && !bob) bob = &m;
    if (!m.login.empty() && !m.domains.empty() && &m != bob && !alice) alice = &m;
  }
  if (!alice || !bob || alice->domains.empty() || bob->domains.empty()) {
    out << "mail-access: the lab needs two mail hosts with a login each (mail = { login, password })\n";
    co_return 2;
  }
  if (!bob->pop3_port || !bob->imap_port) {
    out << "mail-access: " << bob->host
        << " has no POP3 or IMAP port in lab.json (a lab from before them?)\n";
    co_return 2;
  }
  const auto source = lab.client_address();
  // A mail experiment cut short may have left Bob's server down: the relay would wait in Alice's queue.
  if (lab.dashboard) {
    auto on = co_await set_server_switch(lab, bob->host, true);
    if (!on) out << "(cannot reach Bob's server's switch: " << on.error() << ")\n";
  }
  const std::string to = bob->login + "@" + bob->domains.front();
  const std::string user_dir = bob->mail_dir + "/users/" + bob->login;
  const std::string stamp = fmt::format(
      "{}.{}", std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count(),
      ::getpid());

  std::vector<Run> runs;
  std::vector<AccessMessage> messages;
  std::vector<std::string> problems;
  auto add_run = [&](std::string mode, std::string title, std::uint16_t port) -> Run& {
    runs.push_back(Run{});
    runs.back().mode = std::move(mode);
    runs.back().title = std::move(title);
    runs.back().address = fmt::format("{}:{}", bob->address, port);
    return runs.back();
  };

  // 1. POP3, download and delete. 2. POP3, download and keep, then the next check.
  for (const bool keep : {false, true}) {
    const std::string mode = keep ? "pop3-keep" : "pop3-delete";
    const std::string run_id = mode + "." + stamp;
    auto prepared = co_await prepare(*alice, *bob, source, run_id);
    Run& run = add_run(mode, keep ? "POP3, download and keep" : "POP3, download and delete", bob->pop3_port);
    if (!prepared) {
      run.error = prepared.error();
      continue;
    }
    messages = *prepared;
    std::vector<std::string> known;
    auto read = co_await pop3_read(run, *bob, source, keep, known);
    if (!read) run.error = read.error();
    run.after = read_mailbox_state(user_dir);
    run.on_client = keep ? fmt::format("the {} messages, {} UIDLs", run.messages_downloaded, known.size())
                         : fmt::format("the {} messages (the only copies)", run.messages_downloaded);
    if (keep && run.error.empty()) {
      Run& check = add_run("pop3-keep-check", "POP3, keep: the next check", bob->pop3_port);
      auto fresh = co_await pop3_check(check, *bob, source, known);
      check.after = read_mailbox_state(user_dir);
      if (!fresh) {
        check.error = fresh.error();
      } else {
        check.on_client =
            *fresh == 0 ? std::string("no new UIDL: nothing to fetch") : fmt::format("{} new UIDLs", *fresh);
        if (*fresh != 0) problems.push_back(fmt::format("the next POP3 check found {} new messages", *fresh));
      }
    }
  }
  // 3. IMAP.
  {
    const std::string run_id = "imap." + stamp;
    auto prepared = co_await prepare(*alice, *bob, source, run_id);
    Run& run = add_run("imap", "IMAP, folders and a partial fetch", bob->imap_port);
    if (!prepared) {
      run.error = prepared.error();
    } else {
      messages = *prepared;
      auto read = co_await imap_read(run, *bob, source, messages);
      if (!read) run.error = read.error();
      run.after = read_mailbox_state(user_dir);
      run.on_client = fmt::format("a message, 3 Subjects, {} bytes of the attachment", run.partial_bytes);
    }
  }

  std::uint64_t total_size = 0;
  for (const auto& m : messages) total_size += m.text.size();
  const std::uint64_t encoded_attachment = mail::message::base64_encode(mail_access_attachment(), 76).size();

  out << fmt::format(
      "mail-access: Alice's three messages ({} bytes in all; one carries a {}-byte attachment, {} bytes in "
      "base64) delivered to {} by SMTP, then read three ways on {} ({})\n",
      total_size, kAttachmentBytes, encoded_attachment, to, bob->host, bob->address);
  out << "(each way starts from an empty mailbox: the experiment removes Bob's mail and its " << kFolder
      << " folder first)\n\n";
  Table table({"way", "conns", "commands", "C→S bytes", "S→C bytes", "mail bytes", "on the client",
               "left on the server"});
  for (const auto& r : runs) {
    const auto commands = std::count_if(r.exchanges.begin(), r.exchanges.end(),
                                        [](const auto& e) { return !e.command.empty(); });
    table.add({r.title, std::to_string(r.connections), std::to_string(commands), std::to_string(r.sent),
               std::to_string(r.received), std::to_string(r.message_bytes),
               r.error.empty() ? r.on_client : "failed", r.error.empty() ? folders_line(r.after) : "—"});
  }
  out << table.render();

  for (const auto& r : runs) {
    out << fmt::format("\n{} ({}), the client's commands and the bytes on its socket:\n", r.title, r.address);
    Table t({"C:", "C→S", "S→C", "reply"});
    for (const auto& e : r.exchanges)
      t.add({e.command.empty() ? "(connect: the greeting)" : e.command, std::to_string(e.sent),
             std::to_string(e.received), e.reply});
    out << t.render();
    if (!r.error.empty()) out << "  failed: " << r.error << "\n";
  }
  const Run* imap = nullptr;
  for (const auto& r : runs) {
    if (r.mode == "imap") imap = &r;
  }
  if (imap && !imap->bodystructure.empty()) {
    out << "\nThe large message's BODYSTRUCTURE, as the server sent it (part 2 is the attachment):\n  ("
        << imap->bodystructure.substr(0, 400) << (imap->bodystructure.size() > 400 ? "…" : "") << ")\n";
  }

  // The checks: what the model says must stay, and what IMAP must not have moved.
  for (const auto& r : runs) {
    if (!r.error.empty()) problems.push_back(r.title + ": " + r.error);
  }
  for (const auto& r : runs) {
    if (!r.error.empty()) continue;
    const FolderState* inbox = folder(r, "INBOX");
    const std::size_t in_inbox = inbox ? inbox->messages() : 0;
    if (r.mode == "pop3-delete" && in_inbox != 0)
      problems.push_back(fmt::format("POP3 delete left {} messages in INBOX", in_inbox));
    if (r.mode == "pop3-keep") {
      if (in_inbox != 3)
        problems.push_back(fmt::format("POP3 keep left {} messages in INBOX, not 3", in_inbox));
      for (const auto& f : inbox ? inbox->flags : std::vector<std::string>{}) {
        if (f.find("\\Seen") == std::string::npos) problems.push_back("a message POP3 read is not \\Seen");
      }
    }
    if (r.mode == "imap") {
      const FolderState* filed = folder(r, kFolder);
      if (!filed || filed->messages() != 1)
        problems.push_back(fmt::format("IMAP: the folder {} does not hold the moved message", kFolder));
      if (in_inbox != 2) problems.push_back(fmt::format("IMAP left {} messages in INBOX, not 2", in_inbox));
      if (r.partial_bytes != kPartialBytes || !r.partial_matches)
        problems.push_back(fmt::format("IMAP: the partial fetch gave {} bytes{}", r.partial_bytes,
                                       r.partial_matches ? "" : " that are not the attachment's first ones"));
      if (r.received >= encoded_attachment) problems.push_back("IMAP moved as much as the attachment itself");
    }
  }
  std::uint64_t pop3_received = 0;
  for (const auto& r : runs) {
    if (r.mode == "pop3-delete") pop3_received = r.received;
  }
  out << fmt::format(
      "\nThe model (Kurose & Ross §2.3.4): POP3 moves whole messages — to see the attachment the client\n"
      "downloads all of it, {} bytes from the server for the three — and leaves the state on the client: "
      "after\n"
      "download-and-delete the only copies are there, and a keeping client must remember the UIDLs to tell\n"
      "new mail from old. IMAP keeps folders and flags on the server ({} and \\Seen, \\Flagged stay there "
      "for\n"
      "every client of Bob's) and fetches parts: the headers, the structure and 1 KiB of the attachment,\n"
      "{} bytes from the server in all, {} of them mail.\n",
      pop3_received, kFolder, imap ? imap->received : 0, imap ? imap->message_bytes : 0);
  for (const auto& p : problems) out << "mail-access: " << p << "\n";

  json::array runs_json, messages_json;
  for (const auto& r : runs) runs_json.push_back(run_json(r));
  for (const auto& m : messages)
    messages_json.push_back(
        json::object{{"subject", m.subject}, {"bytes", m.text.size()}, {"attachment", m.has_attachment}});
  data["mail_access"] = json::object{{"user", to},
                                     {"server", json::object{{"host", bob->host},
                                                             {"address", bob->address},
                                                             {"pop3_port", bob->pop3_port},
                                                             {"imap_port", bob->imap_port}}},
                                     {"folder", kFolder},
                                     {"messages", std::move(messages_json)},
                                     {"attachment_bytes", kAttachmentBytes},
                                     {"attachment_encoded_bytes", encoded_attachment},
                                     {"runs", std::move(runs_json)},
                                     {"problems", json::value_from(problems)}};
  co_return problems.empty() ? 0 : 1;
}

}  // namespace endhost::lab
