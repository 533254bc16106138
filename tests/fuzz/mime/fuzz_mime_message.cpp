// The MIME parser and the encoders from arbitrary bytes. Checks: parsing never crashes and stays within its
// limits (parts, depth); every part's decoded body and headers can be computed; base64 and quoted-printable
// round-trip the input exactly (with CRLF line ends for quoted-printable, which is text); RFC 2047 encoding
// of the input decodes back to it; and a message built around the input parses back with the same body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail/message/base64.hpp"
#include "mail/message/encoded_words.hpp"
#include "mail/message/message.hpp"
#include "mail/message/mime.hpp"
#include "mail/message/quoted_printable.hpp"

using namespace endhost::mail::message;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::size_t walk(const MimePart& p, std::size_t depth) {
  check(depth <= MimeLimits{}.max_depth);
  (void)p.decoded_body();
  (void)p.filename();
  (void)p.decoded_header("Subject");
  std::size_t n = 1;
  for (const auto& c : p.parts) n += walk(c, depth + 1);
  return n;
}

// The text with every line end as CRLF and a CRLF at the end: what quoted-printable gives back.
std::string as_crlf_text(std::string_view s) {
  std::string out;
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

bool valid_utf8_without_controls(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    std::size_t n = c < 0x80 ? 1 : c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto m = parse_message(s)) check(walk(*m, 0) <= MimeLimits{}.max_parts);

  check(base64_decode(base64_encode(s)) == std::string(s));
  check(base64_decode_lenient(base64_encode(s, 76)) == std::string(s));
  check(qp_decode(qp_encode(s)) == as_crlf_text(s));

  if (size < 300 && valid_utf8_without_controls(s)) {
    std::string enc = encode_header_text(s, 9);
    std::string unfolded;
    for (std::size_t i = 0; i < enc.size(); ++i) {
      if (enc.compare(i, 2, "\r\n") == 0) {
        ++i;
        continue;
      }
      unfolded += enc[i];
    }
    // Plain text passes through untouched; encoded words decode to the input.
    check(decode_header_text(unfolded) == std::string(s) || unfolded == std::string(s));
  }

  MessageSpec spec;
  spec.from = "alice@crepes.fr";
  spec.to = {"bob@hamburger.edu"};
  spec.subject = "fuzz";
  spec.body = std::string(s);
  spec.boundary = make_boundary(7);
  spec.attachments.push_back(Attachment{"data.bin", "", std::string(s)});
  const BuiltMessage built = build_message(spec);
  auto parsed = parse_message(built.text);
  check(parsed.has_value());
  check(parsed->parts.size() == 2);
  check(parsed->parts[1].decoded_body() == std::string(s));
  return 0;
}
