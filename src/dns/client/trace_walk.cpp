#include "dns/client/trace_walk.hpp"

#include "dns/address.hpp"

namespace endhost::dns::client {

std::string ServerAddress::to_string() const {
  if (v6) return format_ipv6(bytes);
  return format_ipv4({bytes[0], bytes[1], bytes[2], bytes[3]});
}

const char* to_string(TraceWalk::Reply reply) {
  switch (reply) {
    case TraceWalk::Reply::referral:
      return "referral";
    case TraceWalk::Reply::answer:
      return "answer";
    case TraceWalk::Reply::nxdomain:
      return "NXDOMAIN";
    case TraceWalk::Reply::nodata:
      return "NODATA";
    case TraceWalk::Reply::lame:
      return "lame";
    case TraceWalk::Reply::error:
      return "error";
  }
  return "?";
}

TraceWalk::TraceWalk(Name qname, RRType qtype, std::vector<NameServer> roots, TraceLimits limits)
    : qname_(qname), qtype_(qtype), limits_(limits) {
  enter_zone(Name(), std::move(roots));
}

void TraceWalk::enter_zone(Name zone, std::vector<NameServer> servers) {
  zone_ = zone;
  servers_ = std::move(servers);
  resolved_.assign(servers_.size(), false);
  targets_.clear();
  next_target_ = 0;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    for (const auto& a : servers_[i].addresses) targets_.push_back({i, a});
  }
}

void TraceWalk::fail(std::string why) {
  outcome_ = Outcome::failed;
  failure_ = std::move(why);
}

std::optional<TraceWalk::Ask> TraceWalk::next() {
  pending_.reset();
  if (outcome_ != Outcome::running) return std::nullopt;
  if (queries_ >= limits_.max_queries) {
    fail("gave up after " + std::to_string(queries_) + " queries");
    return std::nullopt;
  }
  if (next_target_ == targets_.size()) {
    if (!needs_address()) fail("no server of " + zone_.to_string() + " gave a usable answer");
    return std::nullopt;
  }
  const Target& t = targets_[next_target_++];
  ++queries_;
  pending_ = Ask{zone_, servers_[t.server].name, t.address};
  return pending_;
}

void TraceWalk::on_no_response() {
  pending_.reset();
}

std::optional<Name> TraceWalk::needs_address() const {
  if (outcome_ != Outcome::running || next_target_ < targets_.size()) return std::nullopt;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].addresses.empty() && !resolved_[i]) return servers_[i].name;
  }
  return std::nullopt;
}

void TraceWalk::provide_addresses(const Name& server, std::vector<ServerAddress> addresses) {
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (!(servers_[i].name == server) || resolved_[i]) continue;
    resolved_[i] = true;
    for (const auto& a : addresses) {
      servers_[i].addresses.push_back(a);
      targets_.push_back({i, a});
    }
  }
}

TraceWalk::Reply TraceWalk::on_response(const Message& m) {
  pending_.reset();
  Rcode rcode = m.rcode();
  if (rcode != Rcode::NOERROR && rcode != Rcode::NXDOMAIN) return Reply::error;
  // An answer about our name (directly, or the start of a CNAME chain) ends the walk, as it does for dig.
  for (const auto& rr : m.answers) {
    if (rr.name == qname_) {
      outcome_ = Outcome::answer;
      return Reply::answer;
    }
  }
  if (rcode == Rcode::NXDOMAIN) {
    if (!m.header.aa) return Reply::lame;
    outcome_ = Outcome::nxdomain;
    return Reply::nxdomain;
  }
  // A referral: NS records for a zone strictly below the one asked, at or above the query name.
  const Name* child = nullptr;
  std::vector<NameServer> servers;
  for (const auto& rr : m.authorities) {
    if (rr.type != RRType::NS) continue;
    if (!rr.name.is_subdomain_of(zone_) || rr.name == zone_ || !qname_.is_subdomain_of(rr.name)) continue;
    if (child && !(*child == rr.name)) continue;  // one delegation per referral
    child = &rr.name;
    const Name& host = std::get<rdata::Ns>(rr.rdata).host;
    bool dup = false;
    for (const auto& s : servers) dup = dup || s.name == host;
    if (!dup) servers.push_back({host, {}});
  }
  if (child && !m.header.aa) {
    if (++referrals_ > limits_.max_referrals) {
      fail("more than " + std::to_string(limits_.max_referrals) + " referrals");
      return Reply::referral;
    }
    // Glue only from within the bailiwick of the zone we asked: anything else could be a poisoning attempt.
    for (auto& s : servers) {
      if (!s.name.is_subdomain_of(zone_)) continue;
      for (const auto& rr : m.additionals) {
        if (!(rr.name == s.name)) continue;
        ServerAddress a;
        if (rr.type == RRType::A) {
          const auto& v4 = std::get<rdata::A>(rr.rdata).address;
          std::copy(v4.begin(), v4.end(), a.bytes.begin());
        } else if (rr.type == RRType::AAAA) {
          a.v6 = true;
          a.bytes = std::get<rdata::Aaaa>(rr.rdata).address;
        } else {
          continue;
        }
        s.addresses.push_back(a);
      }
    }
    enter_zone(*child, std::move(servers));
    return Reply::referral;
  }
  if (m.header.aa) {
    for (const auto& rr : m.authorities) {
      if (rr.type == RRType::SOA) {
        outcome_ = Outcome::nodata;
        return Reply::nodata;
      }
    }
  }
  return Reply::lame;
}

}  // namespace endhost::dns::client
