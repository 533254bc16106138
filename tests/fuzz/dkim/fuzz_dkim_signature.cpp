// The DKIM-Signature value, the key record and the message around them from arbitrary bytes: parsing never
// crashes; what parses is consistent (tags hold VALCHAR and FWS only, required tags are there, h= lists
// From), removing b= leaves a field that still parses as a tag list, and canonicalization is idempotent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail/dkim/canonicalization.hpp"
#include "mail/dkim/key_record.hpp"
#include "mail/dkim/signature.hpp"
#include "mail/dkim/tag_list.hpp"

using namespace endhost::mail::dkim;

namespace {
void check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto tags = parse_tag_list(s)) {
    check(tags->size() <= kMaxTags);
    for (const Tag& t : *tags) {
      check(!t.name.empty());
      for (char c : t.value) check(c != ';');
    }
  }
  if (auto sig = parse_signature(s)) {
    check(!sig->domain.empty() && !sig->selector.empty() && !sig->headers.empty());
    check(!sig->signature.empty() && !sig->body_hash.empty());
    bool from = false;
    for (const std::string& h : sig->headers) from = from || iequals(h, "from");
    check(from);
    const std::string field = "DKIM-Signature:" + std::string(s) + "\r\n";
    const std::string stripped = without_b_value(field);
    check(stripped.size() < field.size());
    check(static_cast<bool>(parse_tag_list(std::string_view(stripped).substr(15, stripped.size() - 17))));
  }
  if (auto key = parse_key_record(s)) check(key->type == KeyType::Rsa || key->type == KeyType::Ed25519);
  if (auto m = split_message(s)) {
    check(m->headers.size() <= kMaxHeaderFields);
    for (const HeaderField& f : m->headers) (void)canonicalize_header(Canon::Relaxed, f);
    for (Canon c : {Canon::Simple, Canon::Relaxed}) {
      const std::string once = canonicalize_body(c, m->body);
      check(canonicalize_body(c, once) == once);
    }
  }
  return 0;
}
