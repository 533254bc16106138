// What an FTP client reads from a reply's code (RFC 959 §4.2.1): the first digit is the class the client
// acts on, never the exact number, so a server's 250 where another sends 226 is understood the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "text/coded_reply_parser.hpp"

namespace endhost::ftp::client {

enum class ReplyClass {
  Preliminary = 1,   // 1yz: a transfer starts, another reply follows
  Completion = 2,    // 2yz: done
  Intermediate = 3,  // 3yz: send the next command of the sequence (PASS after USER, RNTO after RNFR)
  Transient = 4,     // 4yz: failed, may work later
  Permanent = 5,     // 5yz: failed
};

inline ReplyClass reply_class(int code) {
  return static_cast<ReplyClass>(code / 100);
}
inline bool is_class(const text::CodedReply& r, ReplyClass c) {
  return reply_class(r.code) == c;
}

// "550 No such file" (the code and the first line): what error messages quote.
inline std::string reply_summary(const text::CodedReply& r) {
  return std::to_string(r.code) + (r.lines.empty() || r.lines.front().empty() ? "" : " " + r.lines.front());
}

// SIZE's answer (RFC 3659 §4.2): `213 <digits>` and nothing else; none for any other reply, or digits that
// do not fit 64 bits (a hostile size must not turn into a small one).
std::optional<std::uint64_t> parse_size_reply(const text::CodedReply& r);

// PWD's and MKD's answer (RFC 959 §4.1.3 and Appendix II): `257 "name" comment`, a quote inside the name
// doubled; none when there is no closed quoted name, or it holds a NUL.
std::optional<std::string> parse_pwd_reply(const text::CodedReply& r);

}  // namespace endhost::ftp::client
