// A user agent's connection to a POP3 or IMAP server in the mail-access experiment: each command sent whole
// and kept as the C: line a transcript shows, the replies read through mail_replies.hpp, and every byte
// counted on the client's own socket in both directions (greeting, replies, bodies and literals alike).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/deadline.hpp"
#include "core/expected.hpp"
#include "lab/experiments/mail_replies.hpp"

namespace endhost::lab {

class MailConversation {
 public:
  // One command and its reply as the client saw them: the bytes it wrote, the bytes it read until the reply
  // was whole, and the reply in one line. The greeting is an exchange with no command.
  struct Exchange {
    std::string command;  // without CRLF; IMAP's with its tag
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::string reply;  // "+OK 3 messages (+ 812-byte body)", "OK Logged in (+ 2 untagged)"
  };

  // Dials `server` (core::Dialer) from `source` when given; each later read or write must finish within
  // `timeout`.
  static awaitable<Expected<std::unique_ptr<MailConversation>, std::string>> open(
      asio::ip::tcp::endpoint server, std::optional<asio::ip::address> source,
      std::chrono::milliseconds timeout);
  MailConversation(asio::ip::tcp::socket socket, std::chrono::milliseconds timeout);
  MailConversation(const MailConversation&) = delete;
  MailConversation& operator=(const MailConversation&) = delete;

  // POP3 (RFC 1939 §3): the greeting; a command and its reply (`body`: a +OK carries a multi-line body).
  awaitable<Expected<Pop3Reply, std::string>> pop3_greeting();
  awaitable<Expected<Pop3Reply, std::string>> pop3(std::string command, bool body = false);

  // IMAP (RFC 9051 §2.2): the greeting (one untagged response); a command, tagged here ("a1", "a2", …), with
  // the untagged responses that came before its tagged one. A tagged NO or BAD is a result, not an error.
  struct ImapResult {
    std::vector<ImapResponse> untagged;
    ImapResponse done;
    bool ok() const { return done.status == text::ImapStatus::Ok; }
  };
  awaitable<Expected<ImapResponse, std::string>> imap_greeting();
  awaitable<Expected<ImapResult, std::string>> imap(std::string command);

  std::uint64_t bytes_sent() const { return sent_; }
  std::uint64_t bytes_received() const { return received_; }
  const std::vector<Exchange>& exchanges() const { return exchanges_; }
  void close();

 private:
  awaitable<Expected<void, std::string>> send(std::string line);
  awaitable<Expected<std::string_view, std::string>> receive();
  awaitable<Expected<Pop3Reply, std::string>> pop3_reply();
  awaitable<Expected<ImapResponse, std::string>> imap_response();
  // Opens the exchange of `command`; the bytes read from here on are its reply's.
  void begin(std::string command);
  void end(std::string reply);
  std::uint64_t received_at_begin_ = 0;

  asio::ip::tcp::socket socket_;
  core::Deadline deadline_;
  std::chrono::milliseconds timeout_;
  std::vector<char> buffer_;
  Pop3ReplyReader pop3_;
  ImapReplyReader imap_;
  std::deque<Pop3Reply> pop3_ready_;
  std::deque<ImapResponse> imap_ready_;
  std::size_t next_tag_ = 1;
  std::uint64_t sent_ = 0, received_ = 0;
  std::vector<Exchange> exchanges_;
};

}  // namespace endhost::lab
