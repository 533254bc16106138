#include "lab/experiments/mail_replies.hpp"

#include <charconv>

#include "text/read_error.hpp"
#include "text/verb.hpp"

namespace endhost::lab {

namespace {

void keep(std::string& into, std::string_view bytes, std::size_t& kept) {
  const std::size_t room = kept < kMaxKeptPayload ? kMaxKeptPayload - kept : 0;
  const std::size_t n = std::min(room, bytes.size());
  into.append(bytes.substr(0, n));
  kept += n;
}

std::optional<std::uint64_t> leading_number(std::string_view s, std::size_t* used = nullptr) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  if (used) *used = static_cast<std::size_t>(end - s.data());
  return n;
}

// Where the value of the atom `name` starts (after "NAME "), outside quoted strings; npos when absent.
std::size_t find_item(std::string_view text, std::string_view name) {
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      continue;
    }
    if (i > 0 && text[i - 1] != ' ' && text[i - 1] != '(') continue;
    if (text.size() - i > name.size() && text::iequals(text.substr(i, name.size()), name) &&
        text[i + name.size()] == ' ')
      return i + name.size() + 1;
  }
  return std::string_view::npos;
}

}  // namespace

// ---- POP3 ----

Expected<std::vector<Pop3Reply>, std::string> Pop3ReplyReader::feed(std::string_view bytes) {
  std::vector<Pop3Reply> done;
  if (!failed_.empty()) return Unexpected(failed_);
  do {
    const std::size_t n = parser_.feed(bytes);
    bytes.remove_prefix(n);
    if (auto ok = drain(done); !ok) {
      failed_ = ok.error();
      return Unexpected(failed_);
    }
    if (n == 0 && !bytes.empty()) {  // the parser's contract says this cannot be: do not spin on it
      failed_ = "POP3 reply: the parser takes no more bytes";
      return Unexpected(failed_);
    }
  } while (!bytes.empty());
  return done;
}

Expected<void, std::string> Pop3ReplyReader::drain(std::vector<Pop3Reply>& done) {
  std::size_t kept = current_.body.size();
  for (;;) {
    // The parser must know before it reads the status line whether a +OK is followed by a body.
    if (!in_body_ && !armed_ && !expected_.empty() && expected_.front()) {
      parser_.expect_body();
      armed_ = true;
    }
    const text::Pop3Event e = parser_.next();
    switch (e.kind) {
      case text::Pop3Event::Kind::NeedMore:
        return {};
      case text::Pop3Event::Kind::Error:
        return Unexpected("POP3 reply: " + std::string(text::describe(e.error)));
      case text::Pop3Event::Kind::Continuation:
        return Unexpected(std::string("POP3 reply: a SASL continuation nobody asked for"));
      case text::Pop3Event::Kind::Status: {
        if (expected_.empty())
          return Unexpected("POP3 reply to no command: " + std::string(e.text.substr(0, 80)));
        const bool body = expected_.front();
        expected_.pop_front();
        armed_ = false;
        current_ = Pop3Reply{};
        kept = 0;
        current_.ok = e.ok;
        current_.text = std::string(e.text);
        if (e.ok && body) {
          current_.has_body = true;
          in_body_ = true;
        } else {
          done.push_back(std::move(current_));
          current_ = Pop3Reply{};
        }
        break;
      }
      case text::Pop3Event::Kind::BodyChunk:
        current_.body_size += e.text.size();
        keep(current_.body, e.text, kept);
        break;
      case text::Pop3Event::Kind::BodyEnd:
        in_body_ = false;
        done.push_back(std::move(current_));
        current_ = Pop3Reply{};
        kept = 0;
        break;
    }
  }
}

// ---- IMAP ----

Expected<std::vector<ImapResponse>, std::string> ImapReplyReader::feed(std::string_view bytes) {
  std::vector<ImapResponse> done;
  if (!failed_.empty()) return Unexpected(failed_);
  do {
    const std::size_t n = parser_.feed(bytes);
    bytes.remove_prefix(n);
    if (auto ok = drain(done); !ok) {
      failed_ = ok.error();
      return Unexpected(failed_);
    }
    if (n == 0 && !bytes.empty()) {
      failed_ = "IMAP response: the parser takes no more bytes";
      return Unexpected(failed_);
    }
  } while (!bytes.empty());
  return done;
}

Expected<void, std::string> ImapReplyReader::drain(std::vector<ImapResponse>& done) {
  using Kind = text::ImapEvent::Kind;
  for (;;) {
    const text::ImapEvent e = parser_.next();
    switch (e.kind) {
      case Kind::NeedMore:
        return {};
      case Kind::Error:
        return Unexpected("IMAP response: " + std::string(text::describe(e.error)));
      case Kind::Tagged:
      case Kind::Untagged:
      case Kind::Continuation:
      case Kind::Rest:
        if (e.kind == Kind::Rest) {
          if (!in_response_) return Unexpected(std::string("IMAP response: a part after no literal"));
          current_.text += e.text;
        } else {
          current_ = ImapResponse{};
          kept_ = 0;
          current_.tagged = e.kind == Kind::Tagged;
          current_.continuation = e.kind == Kind::Continuation;
          current_.tag = std::string(e.tag);
          current_.status = e.status;
          current_.text = std::string(e.text);
        }
        if (e.literal_follows) {
          current_.text += "{" + std::to_string(e.literal_size) + "}";
          current_.literals.emplace_back();
          in_response_ = true;
        } else {
          in_response_ = false;
          done.push_back(std::move(current_));
          current_ = ImapResponse{};
        }
        break;
      case Kind::LiteralChunk:
        current_.literal_bytes += e.text.size();
        keep(current_.literals.back(), e.text, kept_);
        break;
      case Kind::LiteralEnd:
        break;
    }
  }
}

std::optional<std::uint64_t> fetch_number(std::string_view text, std::string_view name) {
  const std::size_t at = find_item(text, name);
  if (at == std::string_view::npos) return std::nullopt;
  return leading_number(text.substr(at));
}

std::optional<std::string> fetch_list(std::string_view text, std::string_view name) {
  const std::size_t at = find_item(text, name);
  if (at == std::string_view::npos || at >= text.size() || text[at] != '(') return std::nullopt;
  int depth = 0;
  for (std::size_t i = at; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return std::string(text.substr(at + 1, i - at - 1));
  }
  return std::nullopt;
}

std::optional<std::uint64_t> exists_count(std::string_view text) {
  std::size_t used = 0;
  auto n = leading_number(text, &used);
  if (!n || !text::iequals(text.substr(used), " EXISTS")) return std::nullopt;
  return n;
}

}  // namespace endhost::lab
