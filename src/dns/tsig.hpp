// TSIG (RFC 8945): transaction signatures with a shared secret, sans-I/O. A TsigKey is parsed from the
// command line's NAME:ALGORITHM:BASE64; find_tsig locates the TSIG record, which must be the last record of a
// message (§5.1); verify_request checks a signed request against the configured keys and the time it is
// given; TsigSigner appends the TSIG record to a response (or a request), chaining the MACs of a
// multi-message answer (§4.3.2: every message of a transfer is signed here). HMAC comes from OpenSSL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

inline constexpr std::uint16_t kTsigType = 250;      // RRType TSIG
inline constexpr std::uint16_t kDefaultFudge = 300;  // seconds (§10)

enum class TsigAlgorithm : std::uint8_t { hmac_sha1, hmac_sha256, hmac_sha512 };

struct TsigKey {
  Name name;
  TsigAlgorithm algorithm = TsigAlgorithm::hmac_sha256;
  std::vector<std::uint8_t> secret;
};

// "NAME:ALGORITHM:BASE64" as dig -y takes it (ALGORITHM hmac-sha1, hmac-sha256 or hmac-sha512; a leading
// "hmac-" may be omitted). The error says what was wrong and how to write it.
Expected<TsigKey, std::string> parse_tsig_key(std::string_view spec);

// TSIG ERROR values (RFC 8945 §3; RFC 2845 codes).
enum class TsigError : std::uint16_t { none = 0, badsig = 16, badkey = 17, badtime = 18, badtrunc = 22 };

// A TSIG record as found in a message; views into that message.
struct TsigRecord {
  std::size_t offset = 0;  // where the record starts: the message without it is the first `offset` octets
  Name key_name;
  Name algorithm;
  std::uint64_t time_signed = 0;
  std::uint16_t fudge = 0;
  std::span<const std::uint8_t> mac;
  std::uint16_t original_id = 0;
  std::uint16_t error = 0;
  std::span<const std::uint8_t> other;
};

// The TSIG record of `message`, nothing when there is none, an error when one is present but malformed or
// not the last record (the caller answers FORMERR, §5.1).
Expected<std::optional<TsigRecord>, std::string> find_tsig(std::span<const std::uint8_t> message);

struct TsigCheck {
  TsigError error = TsigError::none;
  const TsigKey* key = nullptr;           // the key used (null for BADKEY)
  std::vector<std::uint8_t> request_mac;  // to sign the response with (§4.3.1)
  std::uint64_t time_signed = 0;
};

// RFC 8945 §5.2: the key must be one of `keys` with the same algorithm (else BADKEY), the MAC must match
// (BADSIG; a MAC shorter than the algorithm's is BADTRUNC here), and `now` must be within the fudge of the
// signing time (BADTIME).
TsigCheck verify_request(std::span<const std::uint8_t> message, const TsigRecord& tsig,
                         std::span<const TsigKey> keys, std::uint64_t now);

// Signs messages of one exchange with one key. For a response, construct with the request's MAC; each
// further message of the same answer chains the previous MAC and signs the timers only (§4.3.2).
class TsigSigner {
 public:
  TsigSigner(const TsigKey& key, std::vector<std::uint8_t> request_mac = {})
      : key_(&key), prior_mac_(std::move(request_mac)) {}

  // Appends the TSIG record to the message of `size` octets at the start of `buf` (incrementing ARCOUNT)
  // and returns the new size, or nothing when it does not fit `buf`. `original_id` is the ID the message
  // was built with. With `error` other than none and `unsigned_reply`, the MAC is empty (BADKEY, BADSIG:
  // §5.3.2); for BADTIME the server's time is put in Other Data (§5.2.3).
  std::optional<std::size_t> sign(std::span<std::uint8_t> buf, std::size_t size, std::uint64_t now,
                                  TsigError error = TsigError::none, bool unsigned_reply = false);
  const std::vector<std::uint8_t>& last_mac() const { return prior_mac_; }
  const TsigKey& key() const { return *key_; }

 private:
  const TsigKey* key_;
  std::vector<std::uint8_t> prior_mac_;
  bool first_ = true;
};

// Checks the TSIG of one response message of an exchange we signed (a secondary's transfer, a NOTIFY
// answer): `prior_mac` is our request's MAC for the first message, then the previous message's. Returns the
// message's MAC to chain with, or why it does not verify. Messages without TSIG after the first are refused:
// we sign every message and expect the same.
Expected<std::vector<std::uint8_t>, std::string> verify_response(std::span<const std::uint8_t> message,
                                                                 const TsigKey& key,
                                                                 std::span<const std::uint8_t> prior_mac,
                                                                 bool first, std::uint64_t now);

// Writes the TSIG record for a reply that cannot be verified (BADKEY, BADSIG: no MAC) after copying
// `key_name` and `algorithm` from the request. For a reply to a request whose key we do not have.
std::optional<std::size_t> append_unsigned_tsig(std::span<std::uint8_t> buf, std::size_t size,
                                                const TsigRecord& request, TsigError error,
                                                std::uint64_t now);

const char* to_string(TsigError e);

}  // namespace endhost::dns
