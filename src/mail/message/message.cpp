#include "mail/message/message.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "mail/message/base64.hpp"
#include "mail/message/encoded_words.hpp"
#include "mail/message/quoted_printable.hpp"

namespace endhost::mail::message {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool has_8bit(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

// 7bit is enough (RFC 2045 §2.7): ASCII without NUL, lines ≤ 998, CR only in CRLF.
bool is_7bit_text(std::string_view s) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0 || c >= 0x80) return false;
    if (c == '\n') {
      line = 0;
      continue;
    }
    if (c == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) return false;
    if (c != '\r' && ++line > 998) return false;
  }
  return true;
}

// Text that a text/* attachment may carry as quoted-printable: valid-looking text, no NUL.
bool looks_like_text(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || (u < 0x20 && u != '\t' && u != '\r' && u != '\n' && u != '\f')) return false;
  }
  return true;
}

std::string crlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 32 + 2);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += "\r\n";
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (s[i] == '\n') {
      out += "\r\n";
    } else {
      out += s[i];
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

// RFC 2045 §5.1: a parameter value as a token or a quoted-string.
std::string param_value(std::string_view v) {
  static constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?= ";
  bool token = !v.empty();
  for (const char c : v)
    if (kTspecials.find(c) != kTspecials.npos || static_cast<unsigned char>(c) < 0x21 ||
        static_cast<unsigned char>(c) > 0x7E)
      token = false;
  if (token) return std::string(v);
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// RFC 2231 §4: filename*=UTF-8''%E2%82%AC.txt for a non-ASCII name.
std::string filename_param(std::string_view name) {
  if (!has_8bit(name) && is_plain_header_text(name)) return "filename=" + param_value(name);
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out = "filename*=UTF-8''";
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                       std::string_view("!#$&+-.^_`|~").find(ch) != std::string_view::npos;
    if (plain) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string hex64(std::uint64_t v) {
  std::array<char, 17> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(v));
  return buf.data();
}

// A header field with a list of mailboxes, folded after each comma (RFC 5322 §2.2.3).
void address_field(std::string& out, std::string_view name, const std::vector<std::string>& list) {
  if (list.empty()) return;
  out += name;
  out += ": ";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ",\r\n ";
    out += header_mailbox(list[i]);
  }
  out += "\r\n";
}

// The text part: 7bit when it can be, else quoted-printable in UTF-8.
void text_part(std::string& out, std::string_view body) {
  if (is_7bit_text(body)) {
    out += "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n";
    out += crlf(body);
  } else {
    out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += qp_encode(body);
  }
}

}  // namespace

std::string format_date(core::WallTime t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(t - days);
  const std::chrono::weekday wd(days);
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf.data();
}

std::string make_message_id(core::WallTime t, std::uint64_t random, std::string_view domain) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(t - days);
  std::array<char, 20> stamp{};
  std::snprintf(stamp.data(), stamp.size(), "%04d%02u%02u%02d%02d%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string d(domain.empty() ? std::string_view("localhost") : domain);
  return "<" + std::string(stamp.data()) + "." + hex64(random) + "@" + d + ">";
}

std::string make_boundary(std::uint64_t random) {
  return "=_endhost_" + hex64(random);
}

std::string envelope_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  if (open != mailbox.npos) {
    const auto close = mailbox.find('>', open);
    if (close != mailbox.npos) return std::string(trim(mailbox.substr(open + 1, close - open - 1)));
  }
  return std::string(trim(mailbox));
}

std::string address_domain(std::string_view address) {
  const auto at = address.rfind('@');
  return at == address.npos ? std::string() : std::string(address.substr(at + 1));
}

std::string header_mailbox(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  if (open == mailbox.npos) return std::string(trim(mailbox));
  std::string_view name = trim(mailbox.substr(0, open));
  const std::string addr = "<" + envelope_address(mailbox) + ">";
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  if (name.empty()) return addr;
  if (!is_plain_header_text(name)) return encode_header_text(name) + " " + addr;
  // RFC 5322 §3.2.3: atext and spaces go as they are; anything else in a quoted-string.
  static constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
  if (name.find_first_of(kSpecials) == name.npos) return std::string(name) + " " + addr;
  std::string q = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\" " + addr;
}

std::string guess_content_type(std::string_view filename) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr std::array<Type, 22> kTypes = {{
      {"txt", "text/plain; charset=utf-8"},
      {"text", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"xml", "application/xml"},
      {"json", "application/json"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"tar", "application/x-tar"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"svg", "image/svg+xml"},
      {"webp", "image/webp"},
      {"mp3", "audio/mpeg"},
      {"wav", "audio/wav"},
      {"mp4", "video/mp4"},
      {"ics", "text/calendar; charset=utf-8"},
  }};
  const auto dot = filename.rfind('.');
  if (dot != filename.npos) {
    const std::string ext = lower(filename.substr(dot + 1));
    for (const auto& t : kTypes)
      if (t.ext == ext) return std::string(t.type);
  }
  return "application/octet-stream";
}

BuiltMessage build_message(const MessageSpec& spec) {
  BuiltMessage built;
  std::string& out = built.text;
  for (const auto* list : {&spec.to, &spec.cc})
    for (const auto& a : *list)
      if (has_8bit(envelope_address(a))) built.smtputf8 = true;
  if (has_8bit(envelope_address(spec.from))) built.smtputf8 = true;

  // RFC 5322 §3.6: the origination date and originator are required; the rest as a user agent writes them.
  out += "Date: " + format_date(spec.date) + "\r\n";
  out += "From: " + header_mailbox(spec.from) + "\r\n";
  address_field(out, "To", spec.to);
  address_field(out, "Cc", spec.cc);
  out += "Subject: " + encode_header_text(spec.subject, 9) + "\r\n";
  if (!spec.message_id.empty()) out += "Message-ID: " + spec.message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  for (const auto& [name, value] : spec.extra_headers) out += name + ": " + value + "\r\n";

  if (spec.attachments.empty()) {
    text_part(out, spec.body);
    return built;
  }
  // Each part whole first, so that the boundary can be checked against them (RFC 2046 §5.1.1: it must not
  // occur in any part; base64 and quoted-printable cannot produce "=_", but 7bit text can hold anything).
  std::vector<std::string> parts;
  parts.emplace_back();
  text_part(parts.back(), spec.body);
  for (const auto& a : spec.attachments) {
    std::string& p = parts.emplace_back();
    const std::string type = a.content_type.empty() ? guess_content_type(a.filename) : a.content_type;
    const bool text = lower(type).starts_with("text/") && looks_like_text(a.data);
    p += "Content-Type: " + type + "\r\n";
    p += "Content-Disposition: attachment; " + filename_param(a.filename) + "\r\n";
    if (text) {
      p += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
      p += qp_encode(a.data);
    } else {
      p += "Content-Transfer-Encoding: base64\r\n\r\n";
      p += base64_encode(a.data, 76);
    }
  }
  std::string boundary = spec.boundary.empty() ? make_boundary(0) : spec.boundary;
  for (int n = 0;; ++n) {
    bool clash = false;
    for (const auto& p : parts) clash = clash || p.find("--" + boundary) != std::string::npos;
    if (!clash) break;
    boundary += "_" + std::to_string(n);
  }
  out += "Content-Type: multipart/mixed; boundary=" + param_value(boundary) + "\r\n\r\n";
  // RFC 2046 §5.1.1: the preamble is for readers without MIME.
  out += "This is a multi-part message in MIME format.\r\n";
  for (const auto& p : parts) {
    out += "\r\n--" + boundary + "\r\n";
    out += p;
  }
  out += "\r\n--" + boundary + "--\r\n";
  return built;
}

}  // namespace endhost::mail::message
