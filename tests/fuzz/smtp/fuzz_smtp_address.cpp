// parse_path and parse_path_args over arbitrary text: no crash, results within the RFC 5321 §4.5.3.1 limits,
// and a parsed mailbox printed by address() parses back to the same mailbox.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "smtp/address.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_mailbox(const endhost::smtp::Path& p, bool utf8) {
  using namespace endhost::smtp;
  if (p.null) return;
  check(p.mailbox.domain.size() <= kMaxDomain);
  if (!utf8) check(!p.mailbox.utf8);
  if (p.mailbox.utf8) check(valid_utf8(p.mailbox.local_part) && valid_utf8(p.mailbox.domain));
  const auto again = parse_path("<" + p.mailbox.address() + ">", utf8);
  check(static_cast<bool>(again));
  check(again->mailbox.local_part == p.mailbox.local_part);
  check(again->mailbox.domain == p.mailbox.domain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::smtp;
  if (size < 1) return 0;
  const bool utf8 = data[0] & 1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (auto p = parse_path(text, utf8)) {
    check(text.size() <= kMaxPath);
    check_mailbox(*p, utf8);
  }
  for (const std::string_view keyword : {"FROM", "TO"}) {
    if (auto a = parse_path_args(text, keyword, keyword == "FROM", utf8)) {
      check(a->parameters.size() <= kMaxParameters);
      check(keyword == "FROM" || !a->path.null);
      check_mailbox(a->path, utf8);
      for (const auto& param : a->parameters) check(!param.keyword.empty());
    }
  }
  (void)valid_domain(text, utf8);
  (void)valid_address_literal(text);
  return 0;
}
