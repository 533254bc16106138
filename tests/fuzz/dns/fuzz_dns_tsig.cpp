// The TSIG record parser (RFC 8945, dns/tsig.hpp) on arbitrary octets: find_tsig must not read outside the
// message and must place the record inside it; verify_request and verify_response must not crash whatever
// the record says; and a message we sign ourselves must be found again and verify.
#include <cstdlib>
#include <vector>

#include "dns/tsig.hpp"

namespace {

const endhost::dns::TsigKey& fuzz_key() {
  static const endhost::dns::TsigKey key = [] {
    auto k = endhost::dns::parse_tsig_key("xfr-key:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=");
    if (!k) std::abort();
    return *k;
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::dns;
  const std::span<const std::uint8_t> message(data, size);
  const TsigKey& key = fuzz_key();
  auto found = find_tsig(message);
  if (found && *found) {
    const TsigRecord& t = **found;
    if (t.offset < 12 || t.offset >= size) std::abort();
    auto inside = [&](std::span<const std::uint8_t> s) {
      return s.empty() || (s.data() >= data && s.data() + s.size() <= data + size);
    };
    if (!inside(t.mac) || !inside(t.other)) std::abort();
    (void)verify_request(message, t, std::span(&key, 1), t.time_signed);
    (void)verify_response(message, key, t.mac, true, t.time_signed);
    (void)verify_response(message, key, {}, false, t.time_signed);
  }
  // Sign the octets as they are (a header at least, room for the record): the TSIG we append is found
  // and verifies when it is where we put it.
  if (size < 12 || size > 4096 || !found || *found) return 0;
  std::vector<std::uint8_t> buf(message.begin(), message.end());
  buf.resize(size + 256);
  TsigSigner signer(key);
  auto n = signer.sign(buf, size, 1'700'000'000);
  if (!n) std::abort();
  buf.resize(*n);
  auto again = find_tsig(buf);
  if (again && *again && (*again)->offset == size) {
    TsigCheck c = verify_request(buf, **again, std::span(&key, 1), 1'700'000'000);
    if (c.error != TsigError::none) std::abort();
  }
  return 0;
}
