// Arbitrary octets as a query against a small fixed zone set (delegation, glue, wildcard, CNAME chain and
// loop); over UDP and TCP. The response must stay within the size limit and always decode.
#include <cstdlib>
#include <vector>

#include "dns/answer.hpp"
#include "dns/zone_parser.hpp"

namespace {

const endhost::dns::ZoneSet& zones() {
  using namespace endhost::dns;
  static const ZoneSet set = [] {
    ZoneSet zs;
    ZoneParseOptions o;
    o.origin = *Name::from_string("example.");
    auto z = load_zone(R"($TTL 60
@ SOA ns hm 1 2 3 4 5
@ NS ns
@ MX 10 mail
ns A 192.0.2.53
mail A 192.0.2.25
mail AAAA 2001:db8::25
www A 192.0.2.80
www A 192.0.2.81
www TXT "a" "b"
ftp CNAME www
l1 CNAME l2
l2 CNAME l1
*.wild TXT "wildcard"
*.wild MX 5 mail
sub NS ns.sub
sub NS ns.other.
ns.sub A 192.0.2.99
_sip._udp SRV 0 0 5060 www
)",
                       "fuzz.zone", o);
    if (!z || !zs.add(std::move(*z))) std::abort();
    return zs;
  }();
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::dns;
  static std::vector<std::uint8_t> out(65535);
  for (Transport t : {Transport::udp, Transport::tcp}) {
    AnswerOptions opt;
    opt.transport = t;
    opt.rotation = size;
    AnswerResult r = answer({data, size}, zones(), opt, out);
    if (r.size == 0) continue;
    if (t == Transport::udp && r.size > kDefaultEdnsPayload) std::abort();
    if (!decode_message({out.data(), r.size})) std::abort();
  }
  return 0;
}
