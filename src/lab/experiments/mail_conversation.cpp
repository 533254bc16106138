#include "lab/experiments/mail_conversation.hpp"

#include <fmt/format.h>

#include "core/dialer.hpp"

namespace endhost::lab {

namespace {

constexpr std::size_t kReadSize = 64 * 1024;
constexpr std::size_t kReplyShown = 72;  // of a reply's text in an exchange's one line

std::string shorten(std::string_view s) {
  std::string out(s.substr(0, kReplyShown));
  if (s.size() > kReplyShown) out += "…";
  return out;
}

std::string pop3_summary(const Pop3Reply& r) {
  std::string out = (r.ok ? "+OK " : "-ERR ") + shorten(r.text);
  if (r.has_body) out += fmt::format(" (+ {}-byte body)", r.body_size);
  return out;
}

std::string imap_summary(const ImapResponse& done, std::size_t untagged, std::uint64_t literal_bytes) {
  const char* status = done.status == text::ImapStatus::Ok   ? "OK "
                       : done.status == text::ImapStatus::No ? "NO "
                                                             : "BAD ";
  std::string out = status + shorten(done.text);
  if (untagged > 0) {
    out += fmt::format(" (+ {} untagged", untagged);
    if (literal_bytes > 0) out += fmt::format(", {} bytes in literals", literal_bytes);
    out += ")";
  }
  return out;
}

}  // namespace

awaitable<Expected<std::unique_ptr<MailConversation>, std::string>> MailConversation::open(
    asio::ip::tcp::endpoint server, std::optional<asio::ip::address> source,
    std::chrono::milliseconds timeout) {
  core::DialOptions options;
  options.timeout = timeout;
  options.local_address = source;
  const core::Dialer dialer(options);  // lab.json gives addresses: no names to resolve
  auto socket = co_await dialer.connect(server);
  if (!socket) co_return Unexpected(socket.error().message);
  co_return std::make_unique<MailConversation>(std::move(*socket), timeout);
}

MailConversation::MailConversation(asio::ip::tcp::socket socket, std::chrono::milliseconds timeout)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor(), socket_),
      timeout_(timeout),
      buffer_(kReadSize) {}

void MailConversation::close() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void MailConversation::begin(std::string command) {
  exchanges_.push_back({std::move(command), 0, 0, {}});
  received_at_begin_ = received_;
}

void MailConversation::end(std::string reply) {
  exchanges_.back().received = received_ - received_at_begin_;
  exchanges_.back().reply = std::move(reply);
}

awaitable<Expected<void, std::string>> MailConversation::send(std::string line) {
  begin(line);
  line += "\r\n";
  deadline_.expires_after(timeout_);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(line), use_nothrow);
  sent_ += n;
  exchanges_.back().sent = n;
  if (ec) co_return Unexpected(deadline_.timed_out() ? std::string("timed out sending") : ec.message());
  co_return Expected<void, std::string>{};
}

awaitable<Expected<std::string_view, std::string>> MailConversation::receive() {
  deadline_.expires_after(timeout_);
  auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer_), use_nothrow);
  received_ += n;
  if (ec == asio::error::eof) co_return Unexpected(std::string("the server closed the connection"));
  if (ec)
    co_return Unexpected(deadline_.timed_out() ? std::string("timed out waiting for the server")
                                               : ec.message());
  co_return std::string_view(buffer_.data(), n);
}

awaitable<Expected<Pop3Reply, std::string>> MailConversation::pop3_reply() {
  while (pop3_ready_.empty()) {
    auto got = co_await receive();
    if (!got) co_return Unexpected(got.error());
    auto replies = pop3_.feed(*got);
    if (!replies) co_return Unexpected(replies.error());
    for (auto& r : *replies) pop3_ready_.push_back(std::move(r));
  }
  Pop3Reply r = std::move(pop3_ready_.front());
  pop3_ready_.pop_front();
  end(pop3_summary(r));
  co_return r;
}

awaitable<Expected<Pop3Reply, std::string>> MailConversation::pop3_greeting() {
  begin({});
  pop3_.expect(false);
  co_return co_await pop3_reply();
}

awaitable<Expected<Pop3Reply, std::string>> MailConversation::pop3(std::string command, bool body) {
  pop3_.expect(body);
  auto sent = co_await send(std::move(command));
  if (!sent) co_return Unexpected(sent.error());
  co_return co_await pop3_reply();
}

awaitable<Expected<ImapResponse, std::string>> MailConversation::imap_response() {
  while (imap_ready_.empty()) {
    auto got = co_await receive();
    if (!got) co_return Unexpected(got.error());
    auto responses = imap_.feed(*got);
    if (!responses) co_return Unexpected(responses.error());
    for (auto& r : *responses) imap_ready_.push_back(std::move(r));
  }
  ImapResponse r = std::move(imap_ready_.front());
  imap_ready_.pop_front();
  co_return r;
}

awaitable<Expected<ImapResponse, std::string>> MailConversation::imap_greeting() {
  begin({});
  auto r = co_await imap_response();
  if (!r) co_return r;
  if (r->tagged || r->continuation)
    co_return Unexpected("IMAP greeting: not untagged: " + r->text.substr(0, 80));
  end("* " + r->text.substr(0, kReplyShown));
  co_return r;
}

awaitable<Expected<MailConversation::ImapResult, std::string>> MailConversation::imap(std::string command) {
  const std::string tag = fmt::format("a{}", next_tag_++);
  std::string line = tag + " " + command;
  auto sent = co_await send(std::move(line));
  if (!sent) co_return Unexpected(sent.error());
  ImapResult result;
  std::uint64_t literal_bytes = 0;
  for (;;) {
    auto r = co_await imap_response();
    if (!r) co_return Unexpected(r.error());
    if (r->continuation)  // the experiment sends no literals, so nothing is asked to go on
      co_return Unexpected("IMAP: a continuation request to " + tag + ": " + r->text.substr(0, 80));
    if (r->tagged) {
      if (r->tag != tag) co_return Unexpected("IMAP: a reply tagged " + r->tag + " to " + tag);
      result.done = std::move(*r);
      end(imap_summary(result.done, result.untagged.size(), literal_bytes));
      co_return result;
    }
    if (result.untagged.size() >= kMaxUntagged)
      co_return Unexpected(fmt::format("IMAP: more than {} untagged responses to {}", kMaxUntagged, tag));
    literal_bytes += r->literal_bytes;
    result.untagged.push_back(std::move(*r));
  }
}

}  // namespace endhost::lab
