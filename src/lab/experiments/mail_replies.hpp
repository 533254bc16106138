// The mail-access experiment's client side, sans I/O: whole POP3 replies and whole IMAP responses put
// together from text::Pop3ReplyParser's and text::ImapResponseParser's events, with what they carried kept
// up to a bound and every byte of it counted. Plus the few IMAP response items the experiment reads back.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "text/imap_response_parser.hpp"
#include "text/pop3_reply_parser.hpp"

namespace endhost::lab {

// How much of a reply's payload (a POP3 body, an IMAP response's literals) is kept for the experiment to
// look at; the rest is counted only. The parsers bound lines, bodies and literals themselves.
inline constexpr std::size_t kMaxKeptPayload = 1 << 20;
// Untagged responses held before their tagged one (a FETCH 1:* of a huge mailbox): more is an error.
inline constexpr std::size_t kMaxUntagged = 10'000;

// One POP3 reply: the status line, and for a +OK to RETR, LIST, UIDL… the multi-line body (RFC 1939 §3).
struct Pop3Reply {
  bool ok = false;
  std::string text;             // after +OK / -ERR
  bool has_body = false;        // a +OK that was expected to carry one
  std::string body;             // dot-unstuffed, CRLFs kept, the first kMaxKeptPayload bytes
  std::uint64_t body_size = 0;  // every byte of it
};

// Reads the replies to the commands in the order they were sent: expect(true) before a command whose +OK
// carries a body, expect(false) before any other (and before the greeting).
class Pop3ReplyReader {
 public:
  explicit Pop3ReplyReader(text::ParserLimits limits = {}) : parser_(limits) {}

  void expect(bool body) { expected_.push_back(body); }
  // The replies completed by `bytes` (all of which are taken), oldest first; an error puts the reader out
  // of step with the server for good (the client closes).
  Expected<std::vector<Pop3Reply>, std::string> feed(std::string_view bytes);

 private:
  Expected<void, std::string> drain(std::vector<Pop3Reply>& done);

  text::Pop3ReplyParser parser_;
  std::deque<bool> expected_;
  bool armed_ = false;    // the parser was told the next +OK carries a body
  bool in_body_ = false;  // between a +OK with a body and its end
  Pop3Reply current_;
  std::string failed_;
};

// One IMAP response (RFC 9051 §2.2.2): tagged, or untagged `* …` (continuation requests `+ …` too, with
// `continuation` set). `text` is the response without its tag and status (tagged) or `* ` (untagged), its
// literals written as the `{n}` the server announced them with, and their bytes in `literals`.
struct ImapResponse {
  bool tagged = false;
  bool continuation = false;
  std::string tag;
  text::ImapStatus status = text::ImapStatus::Ok;
  std::string text;
  std::vector<std::string> literals;  // each kept up to kMaxKeptPayload in all
  std::uint64_t literal_bytes = 0;    // every byte of them
};

class ImapReplyReader {
 public:
  explicit ImapReplyReader(text::ParserLimits limits = {}) : parser_(limits) {}

  // The responses completed by `bytes` (all of which are taken), oldest first.
  Expected<std::vector<ImapResponse>, std::string> feed(std::string_view bytes);

 private:
  Expected<void, std::string> drain(std::vector<ImapResponse>& done);

  text::ImapResponseParser parser_;
  ImapResponse current_;
  bool in_response_ = false;  // parts of a response with literals are still coming
  std::size_t kept_ = 0;
  std::string failed_;
};

// ---- Reading IMAP responses back (RFC 9051 §7) ----

// The number after the atom `name` in a FETCH response's item list ("1 FETCH (UID 7 RFC822.SIZE 812)":
// UID → 7), or nullopt. Names are matched as whole atoms, case-insensitively, outside quoted strings.
std::optional<std::uint64_t> fetch_number(std::string_view text, std::string_view name);
// The parenthesised list after `name` ("FLAGS (\Seen \Flagged)" → "\Seen \Flagged"), or nullopt.
std::optional<std::string> fetch_list(std::string_view text, std::string_view name);
// `* n EXISTS` → n, for the text after "* ".
std::optional<std::uint64_t> exists_count(std::string_view text);

}  // namespace endhost::lab
