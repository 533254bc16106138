#include "imap/message/charset.hpp"

#include <array>
#include <cstdint>

namespace endhost::imap::message {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Windows-1252's 0x80-0x9F (the WHATWG encoding standard's table; 0 where it has no character, which is
// then read as Latin-1's control code).
constexpr std::array<std::uint16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Charset classify_charset(std::string_view name) {
  const std::string n = lower(name);
  if (n.empty() || n == "utf-8" || n == "utf8" || n == "us-ascii" || n == "ascii" || n == "ansi_x3.4-1968")
    return Charset::Utf8;
  if (n == "iso-8859-1" || n == "iso8859-1" || n == "iso_8859-1" || n == "latin1" || n == "l1")
    return Charset::Latin1;
  if (n == "windows-1252" || n == "cp1252") return Charset::Windows1252;
  return Charset::Other;
}

void append_as_utf8(std::string& out, std::string_view bytes, Charset charset) {
  if (charset == Charset::Utf8 || charset == Charset::Other) {
    out += bytes;
    return;
  }
  out.reserve(out.size() + bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    std::uint32_t cp = c;
    if (charset == Charset::Windows1252 && c >= 0x80 && c < 0xA0 && kCp1252High[c - 0x80] != 0)
      cp = kCp1252High[c - 0x80];
    append_code_point(out, cp);
  }
}

}  // namespace endhost::imap::message
