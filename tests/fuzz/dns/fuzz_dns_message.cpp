// Decode arbitrary octets as a DNS message; whatever decodes must re-encode and decode to the same value,
// and its presentation must not crash.
#include <cstdlib>

#include "dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::dns;
  auto m = decode_message({data, size});
  if (!m) return 0;
  (void)to_string(*m);
  auto wire = encode_message(*m);
  if (!wire) return 0;  // e.g. a decoded name that compression made longer: not a codec bug
  auto again = decode_message(*wire);
  if (!again) std::abort();
  Message a = *m, b = *again;
  a.header = b.header;  // counts are recomputed by the encoder
  if (!(a == b)) std::abort();
  return 0;
}
