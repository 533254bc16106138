// What a server's EHLO reply offers (RFC 5321 §4.1.1.1: one keyword and its parameters per line after the
// first), as the client needs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::smtp::client {

struct Extensions {
  bool pipelining = false;             // RFC 2920
  bool starttls = false;               // RFC 3207
  bool eight_bit_mime = false;         // RFC 6152
  bool smtputf8 = false;               // RFC 6531
  bool chunking = false;               // RFC 3030
  bool enhanced_status_codes = false;  // RFC 2034
  bool size = false;                   // RFC 1870
  std::uint64_t max_size = 0;          // SIZE's parameter; 0: no limit announced
  std::vector<std::string> auth;       // RFC 4954 mechanisms, upper case
  friend bool operator==(const Extensions&, const Extensions&) = default;

  bool offers_auth(std::string_view mechanism) const;
};

// The lines of a 250 reply to EHLO (the first is the greeting and is skipped). Keywords are
// case-insensitive; unknown ones are ignored; "AUTH=LOGIN" (old Microsoft servers) counts as AUTH.
Extensions parse_ehlo(const std::vector<std::string>& lines);

}  // namespace endhost::smtp::client
