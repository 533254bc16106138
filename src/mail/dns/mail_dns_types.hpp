// The answers of mail's DNS lookups, without Asio, so that sans-I/O cores (the relay's schedule, SPF's
// step machine) can take them. The interface that asks is mail_dns.hpp.
#pragma once

#include <cstdint>
#include <string>

namespace endhost::mail::dns {

// What a lookup came to. NoData: the name exists but has no record of the type asked (RFC 2308 §2.2);
// TempFail: SERVFAIL, REFUSED, a timeout or a malformed answer, worth asking again later.
enum class LookupStatus { Ok, NxDomain, NoData, TempFail };

inline const char* to_string(LookupStatus status) {
  switch (status) {
    case LookupStatus::Ok:
      return "ok";
    case LookupStatus::NxDomain:
      return "no such domain";
    case LookupStatus::NoData:
      return "no record of that type";
    case LookupStatus::TempFail:
      return "temporary DNS failure";
  }
  return "?";
}

struct MxHost {
  std::uint16_t preference = 0;
  std::string host;  // without the trailing dot; "" for the null MX "." (RFC 7505)
  friend bool operator==(const MxHost&, const MxHost&) = default;
};

}  // namespace endhost::mail::dns
