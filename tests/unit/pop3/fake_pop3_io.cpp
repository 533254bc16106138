#include "fake_pop3_io.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace endhost::pop3::test {
namespace {

// The store's size: the octets on the wire before stuffing, every line end a CRLF.
std::uint64_t crlf_size(std::string_view bytes) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r') {
      n += 2;
      if (i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
    } else if (bytes[i] == '\n') {
      n += 2;
    } else {
      ++n;
    }
  }
  return n;
}

std::string uids(const std::vector<std::uint32_t>& v) {
  std::string out;
  for (const auto u : v) out += " " + std::to_string(u);
  return out.empty() ? " -" : out;
}

}  // namespace

ServerConfig default_config() {
  ServerConfig c;
  c.hostname = "hamburger.edu";
  c.auth_available = true;
  return c;
}

std::vector<FakeMessage> standard_mailbox() {
  return {
      {0, "1700000001.M1P1Q1.hamburger.edu", "From: alice@crepes.fr\r\nSubject: hi\r\n\r\nHello Bob\r\n", 0},
      {0, "1700000002.M2P1Q2.hamburger.edu", "From: alice@crepes.fr\nSubject: dots\n\n.hidden\n..two\nend\n",
       0},
      {0, "1700000003.M3P1Q3.hamburger.edu",
       "Subject: five\r\nX-Long: yes\r\n\r\nline 1\r\nline 2\r\nline 3\r\nline 4\r\nline 5\r\n", 0},
  };
}

FakeOptions transcript_options(const std::string& file) {
  FakeOptions o;
  o.config = default_config();
  o.mailboxes["bob"] = standard_mailbox();
  o.mailboxes["alice"] = {};
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
      if (key == "tls") o.config.tls_available = true;
      if (key == "implicit-tls") o.config.tls_active = o.config.tls_available = true;
      if (key == "no-auth") o.config.auth_available = false;
      if (key == "loopback") o.config.peer_is_trusted = true;
      if (key == "max-errors") o.config.limits.max_errors = n;
      if (key == "chunk") o.chunk = n;
      if (key == "locked") o.locked.insert("bob");
      if (key == "empty") o.mailboxes["bob"].clear();
      if (key == "tls-fails") o.tls_fails = true;
      if (key == "mailbox-fails") o.mailbox_fails = true;
      if (key == "update-fails") o.update_fails = true;
      if (key == "gone") o.gone.insert(static_cast<std::uint32_t>(n));
      if (key == "broken") o.broken.insert(static_cast<std::uint32_t>(n));
    }
  }
  return o;
}

FakePop3Io::FakePop3Io(FakeOptions options)
    : options_(std::move(options)),
      session_(options_.config),
      reader_(ServerSession::reader_config(options_.config.limits)) {
  for (auto& [user, box] : options_.mailboxes) {
    for (std::size_t i = 0; i < box.size(); ++i) {
      if (box[i].uid == 0) box[i].uid = static_cast<std::uint32_t>(i + 1);
      if (box[i].size == 0) box[i].size = crlf_size(box[i].bytes);
    }
  }
  session_.greeting();
}

void FakePop3Io::send_pending() {
  const std::string_view pending = session_.writer().pending();
  largest_pending_ = std::max(largest_pending_, pending.size());
  out_.append(pending);
  session_.writer().consumed(pending.size());
}

void FakePop3Io::run(Action a) {
  while (!closed_) {
    largest_pending_ = std::max(largest_pending_, session_.writer().pending().size());
    if (std::holds_alternative<action::None>(a)) {
      a = session_.poll();
      if (std::holds_alternative<action::None>(a)) return;
      continue;
    }
    if (std::holds_alternative<action::Close>(a)) {
      closed_ = true;
      return;
    }
    if (auto* login = std::get_if<action::VerifyLogin>(&a)) {
      notes_.push_back("login " + login->user + " " + login->password);
      a = session_.login_result(login->password == "secret" && options_.mailboxes.count(login->user) > 0);
      continue;
    }
    if (auto* open = std::get_if<action::OpenMailbox>(&a)) {
      Mailbox box;
      if (options_.mailbox_fails) {
        box.status = MailboxStatus::Failed;
      } else if (options_.locked.count(open->user) > 0) {
        box.status = MailboxStatus::InUse;
      } else {
        box.status = MailboxStatus::Opened;
        user_ = open->user;
        for (const auto& m : options_.mailboxes[open->user])
          box.messages.push_back({m.uid, m.size, m.unique_id});
      }
      notes_.push_back("open " + open->user +
                       (box.status == MailboxStatus::Opened  ? ""
                        : box.status == MailboxStatus::InUse ? ": in use"
                                                             : ": failed"));
      a = session_.mailbox_opened(std::move(box));
      continue;
    }
    if (std::holds_alternative<action::StartTls>(a)) {
      notes_.push_back(std::to_string(reader_.discard_buffered()) + " bytes dropped, stls");
      a = session_.tls_ready(!options_.tls_fails);
      continue;
    }
    if (std::holds_alternative<action::Flush>(a)) {
      send_pending();
      ++flushes_;
      a = session_.resume();
      continue;
    }
    if (auto* open = std::get_if<action::OpenMessage>(&a)) {
      open_ = nullptr;
      for (const auto& m : options_.mailboxes[user_]) {
        if (m.uid == open->uid) open_ = &m;
      }
      open_uid_ = open->uid;
      offset_ = 0;
      const bool gone = open_ == nullptr || options_.gone.count(open->uid) > 0;
      a = session_.message_opened(gone ? MessageStatus::Gone : MessageStatus::Opened);
      continue;
    }
    if (auto* read = std::get_if<action::ReadMessage>(&a)) {
      if (options_.broken.count(open_uid_) > 0 && offset_ > 0) {
        a = session_.message_failed();
        continue;
      }
      const std::size_t n = std::min({read->max, options_.chunk, open_->bytes.size() - offset_});
      const std::string_view bytes = std::string_view(open_->bytes).substr(offset_, n);
      offset_ += n;
      a = session_.message_chunk(bytes, offset_ == open_->bytes.size());
      continue;
    }
    if (auto* update = std::get_if<action::Update>(&a)) {
      notes_.push_back("update expunge" + uids(update->expunge) + " seen" + uids(update->seen));
      if (!options_.update_fails) {
        auto& box = options_.mailboxes[user_];
        std::erase_if(box, [&](const FakeMessage& m) {
          return std::find(update->expunge.begin(), update->expunge.end(), m.uid) != update->expunge.end();
        });
        seen_.insert(update->seen.begin(), update->seen.end());
      }
      a = session_.update_done(!options_.update_fails);
      continue;
    }
    return;
  }
}

void FakePop3Io::pump() {
  while (!closed_) {
    const text::ReadEvent e = reader_.next();
    using K = text::ReadEvent::Kind;
    switch (e.kind) {
      case K::Line:
        run(session_.on_line(e.text));
        break;
      case K::Error:
        run(session_.on_read_error(e.error));
        break;
      default:
        return;
    }
  }
}

void FakePop3Io::receive(std::string_view bytes) {
  while (!bytes.empty() && !closed_) {
    const std::size_t n = reader_.feed(bytes);
    bytes.remove_prefix(n);
    pump();
    if (n == 0) break;
  }
}

std::string FakePop3Io::take_output() {
  send_pending();
  return std::exchange(out_, {});
}

std::vector<std::string> FakePop3Io::take_notes() {
  return std::exchange(notes_, {});
}

}  // namespace endhost::pop3::test
