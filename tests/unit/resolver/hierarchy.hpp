// The three-level hierarchy most resolution tests run on: a root, the com and edu TLDs, and authoritative
// servers below them, each on its own address (the textbook's picture of DNS as a distributed database).
//
//   .            10.0.0.1   ns.root.
//   com.         10.0.1.1   a.gtld.com.        example.com (glue), glueless.com (NS in edu, no glue)
//   edu.         10.0.2.1   ns.edu.            dnshost.edu, university.edu (glue)
//   example.com  10.0.3.1, 10.0.3.2            www, alias (CNAME in zone), far (CNAME to edu), loops
//   dnshost.edu  10.0.4.1   also serves glueless.com
//   university.edu 10.0.5.1
#pragma once

#include "sim.hpp"

namespace endhost::dns::resolver::test {

inline constexpr const char* kRootZone = R"(
$TTL 86400
.          SOA ns.root. hostmaster.root. 1 1800 900 604800 86400
.          NS  ns.root.
ns.root.   A   10.0.0.1
com.       172800 NS a.gtld.com.
a.gtld.com. 172800 A 10.0.1.1
edu.       172800 NS ns.edu.
ns.edu.    172800 A 10.0.2.1
)";

inline constexpr const char* kComZone = R"(
$TTL 86400
@          SOA a.gtld.com. hostmaster.com. 1 1800 900 604800 900
@          NS  a.gtld.com.
a.gtld.com. A  10.0.1.1
example    172800 NS ns1.example.com.
example    172800 NS ns2.example.com.
ns1.example 172800 A 10.0.3.1
ns2.example 172800 A 10.0.3.2
example    86400 DS \# 6 303908020102
glueless   172800 NS ns.dnshost.edu.
)";

inline constexpr const char* kEduZone = R"(
$TTL 86400
@          SOA ns.edu. hostmaster.edu. 1 1800 900 604800 900
@          NS  ns.edu.
ns         A   10.0.2.1
dnshost    NS  ns.dnshost.edu.
ns.dnshost A   10.0.4.1
university NS  ns.university.edu.
ns.university A 10.0.5.1
)";

inline constexpr const char* kExampleZone = R"(
$TTL 3600
@          SOA ns1.example.com. admin.example.com. 1 3600 600 86400 300
@          NS  ns1
@          NS  ns2
ns1        A   10.0.3.1
ns2        A   10.0.3.2
www        300 A 192.0.2.80
www        300 A 192.0.2.81
alias      CNAME www
far        CNAME www.university.edu.
loop1      CNAME loop2
loop2      CNAME loop1
)";

inline constexpr const char* kDnshostZone = R"(
$TTL 3600
@          SOA ns.dnshost.edu. admin.dnshost.edu. 1 3600 600 86400 300
@          NS  ns
ns         A   10.0.4.1
)";

inline constexpr const char* kGluelessZone = R"(
$TTL 3600
@          SOA ns.dnshost.edu. admin.glueless.com. 1 3600 600 86400 300
@          NS  ns.dnshost.edu.
www        A   203.0.113.5
)";

inline constexpr const char* kUniversityZone = R"(
$TTL 3600
@          SOA ns.university.edu. admin.university.edu. 1 3600 600 86400 300
@          NS  ns
ns         A   10.0.5.1
www        A   198.51.100.7
)";

// Builds the hierarchy into `sim`. Individual servers can be replaced afterwards (silent, scripted).
inline void build_hierarchy(Sim& sim) {
  sim.root_hint("ns.root.", "10.0.0.1");
  std::vector<Zone> root;
  root.push_back(zone(kRootZone, "."));
  sim.serve("10.0.0.1", std::move(root));
  std::vector<Zone> com;
  com.push_back(zone(kComZone, "com."));
  sim.serve("10.0.1.1", std::move(com));
  std::vector<Zone> edu;
  edu.push_back(zone(kEduZone, "edu."));
  sim.serve("10.0.2.1", std::move(edu));
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    std::vector<Zone> ex;
    ex.push_back(zone(kExampleZone, "example.com."));
    sim.serve(a, std::move(ex));
  }
  std::vector<Zone> dnshost;
  dnshost.push_back(zone(kDnshostZone, "dnshost.edu."));
  dnshost.push_back(zone(kGluelessZone, "glueless.com."));
  sim.serve("10.0.4.1", std::move(dnshost));
  std::vector<Zone> uni;
  uni.push_back(zone(kUniversityZone, "university.edu."));
  sim.serve("10.0.5.1", std::move(uni));
}

}  // namespace endhost::dns::resolver::test
