#include "dns/resolver/resolution.hpp"

#include <algorithm>

#include "dns/header.hpp"
#include "dns/rdata.hpp"

namespace endhost::dns::resolver {

const char* to_string(ResponseVerdict v) {
  switch (v) {
    case ResponseVerdict::accepted:
      return "accepted";
    case ResponseVerdict::no_query:
      return "no query outstanding";
    case ResponseVerdict::wrong_source:
      return "wrong source address";
    case ResponseVerdict::wrong_transport:
      return "wrong transport";
    case ResponseVerdict::wrong_id:
      return "wrong ID";
    case ResponseVerdict::not_a_response:
      return "not a response";
    case ResponseVerdict::malformed:
      return "malformed";
    case ResponseVerdict::wrong_question:
      return "wrong question";
  }
  return "?";
}

namespace {

std::string describe(NameView name, RRType type) {
  return name.to_string() + " " + dns::to_string(type);
}

}  // namespace

Resolution::Resolution(ResolverContext& ctx, const Name& qname, RRType qtype, Instant now)
    : ctx_(ctx), config_(*ctx.config), started_(now) {
  stack_.push_back(Lookup{});
  stack_.back().qname = qname;
  stack_.back().qtype = qtype;
  advance(now);
}

void Resolution::trace(const std::string& line) const {
  if (ctx_.trace) ctx_.trace(line);
}

Ttl Resolution::answer_ttl(const RRsetData& s) const {
  return std::min(s.ttl, ctx_.cache->config().max_ttl);
}

void Resolution::advance(Instant now) {
  while (!done_) {
    if (now - started_ >= config_.timing.resolution_timeout) {
      fail_all("no answer within " + std::to_string(config_.timing.resolution_timeout.count()) + " ms");
      return;
    }
    Lookup& l = stack_.back();
    if (l.needs_delegation) {
      if (start_lookup(now)) continue;
    }
    if (stats_.queries_sent >= config_.limits.max_queries) {
      fail_all("work limit: " + std::to_string(config_.limits.max_queries) + " queries sent");
      return;
    }
    if (send_to_best(now)) return;
    if (start_dependency()) continue;
    fail("no server of zone " + l.zone.to_string() + " could answer " + describe(l.qname, l.qtype));
  }
}

bool Resolution::start_lookup(Instant now) {
  Lookup& l = stack_.back();
  std::size_t budget = config_.limits.max_cname_chain - std::min(l.cnames, config_.limits.max_cname_chain);
  lookup_cached_answer(*ctx_.cache, l.qname, l.qtype, now, budget, scratch_);
  for (const auto& r : scratch_.answer()) l.chain.push_back(r);
  switch (scratch_.status) {
    case CachedAnswer::Status::positive:
      if (tracing()) trace("cache: " + describe(l.qname, l.qtype));
      complete(Rcode::NOERROR, {});
      return true;
    case CachedAnswer::Status::negative:
      if (tracing()) trace("cache: " + describe(l.qname, l.qtype) + " " + dns::to_string(scratch_.rcode));
      complete(scratch_.rcode, scratch_.soa);
      return true;
    case CachedAnswer::Status::partial:
      l.cnames += scratch_.count;
      if (l.cnames > config_.limits.max_cname_chain) {
        fail("CNAME chain longer than " + std::to_string(config_.limits.max_cname_chain));
        return true;
      }
      l.qname = scratch_.next;
      break;
    case CachedAnswer::Status::miss:
      break;
  }
  find_delegation(l, now);
  l.needs_delegation = false;
  return false;
}

void Resolution::find_delegation(Lookup& l, Instant now) {
  // RFC 1034 §5.3.3 step 2: the closest enclosing zone whose servers we know. DS lives on the parent side
  // of the cut (RFC 4035 §3.1.4.1), so for DS the search starts at the parent: the child's own servers would
  // answer with the child's SOA.
  NameView start = l.qname.view();
  if (l.qtype == RRType::DS && !start.is_root()) start = start.parent();
  for (NameView z = start;; z = z.parent()) {
    if (auto ns = ctx_.cache->get(z, RRType::NS, now)) {
      if (set_delegation(l, z, *ns->rrset, {}, now)) {
        if (tracing()) trace("closest known zone for " + l.qname.to_string() + ": " + z.to_string());
        return;
      }
    }
    if (z.is_root()) break;
  }
  use_hints(l);
}

void Resolution::use_hints(Lookup& l) {
  l.zone = Name();
  l.candidates.clear();
  l.missing.clear();
  for (const auto& s : ctx_.hints->servers) {
    for (const auto& a : s.addresses) {
      if (a.v6 && !config_.use_ipv6) continue;
      l.candidates.push_back(Candidate{ServerEndpoint{a, config_.query_port}});
    }
  }
  if (tracing()) trace("starting at the root hints for " + l.qname.to_string());
}

void Resolution::add_address(Lookup& l, const RRsetData& rrset) {
  std::size_t added = 0;
  for (std::size_t i = 0; i < rrset.size() && added < config_.limits.max_addresses_per_ns; ++i) {
    auto r = rrset.record(i);
    IpAddress ip;
    if (rrset.type == RRType::A && r.size() == 4) {
      ip = IpAddress::v4_from(r.first<4>());
    } else if (rrset.type == RRType::AAAA && r.size() == 16 && config_.use_ipv6) {
      ip = IpAddress::v6_from(r.first<16>());
    } else {
      continue;
    }
    ServerEndpoint ep{ip, config_.query_port};
    if (std::none_of(l.candidates.begin(), l.candidates.end(),
                     [&](const Candidate& c) { return c.server == ep; })) {
      l.candidates.push_back(Candidate{ep});
      ++added;
    }
  }
}

bool Resolution::set_delegation(Lookup& l, NameView zone, const RRsetData& ns,
                                std::span<const ScrubbedRRset> glue, Instant now) {
  l.zone = Name(zone);
  l.candidates.clear();
  l.missing.clear();
  bool resolvable_elsewhere = false;
  for (std::size_t i = 0; i < ns.size() && i < config_.limits.max_ns_per_zone; ++i) {
    NameView host = ns.target(i);
    bool known = false;
    for (RRType t : {RRType::A, RRType::AAAA}) {
      if (t == RRType::AAAA && !config_.use_ipv6) continue;
      const RRsetData* found = nullptr;
      for (const auto& g : glue) {
        if (g.rrset->type == t && g.rrset->owner == host) found = g.rrset.get();
      }
      std::optional<CachedRRset> cached;
      if (!found && (cached = ctx_.cache->get(host, t, now))) found = cached->rrset.get();
      if (found) {
        add_address(l, *found);
        known = true;
      }
    }
    if (!known) {
      l.missing.push_back(NsName{Name(host)});
      // A name inside the zone needs this zone's own servers to be found: only glue helps.
      if (!host.is_subdomain_of(zone)) resolvable_elsewhere = true;
    }
  }
  return !l.candidates.empty() || resolvable_elsewhere;
}

bool Resolution::send_to_best(Instant now) {
  Lookup& l = stack_.back();
  // Lowest smoothed RTT first (unknown servers count as the initial timeout, servers that are timing out as
  // their backed-off timeout); equal ones are picked at random so that load and knowledge spread.
  std::size_t best = l.candidates.size();
  Millis best_rtt{0};
  std::uint32_t ties = 0;
  for (std::size_t i = 0; i < l.candidates.size(); ++i) {
    const Candidate& c = l.candidates[i];
    if (c.failed || c.tries >= config_.limits.max_tries_per_server) continue;
    Millis rtt = ctx_.infra->selection_rtt(c.server, now);
    if (best == l.candidates.size() || rtt < best_rtt) {
      best = i;
      best_rtt = rtt;
      ties = 1;
    } else if (rtt == best_rtt && ctx_.random->next() % ++ties == 0) {
      best = i;
    }
  }
  if (best == l.candidates.size()) return false;
  send(best, Transport::udp, !l.candidates[best].no_edns, now);
  return true;
}

void Resolution::send(std::size_t candidate, Transport via, bool edns, Instant now) {
  Lookup& l = stack_.back();
  Candidate& c = l.candidates[candidate];
  // RFC 5452 §4.3: a fresh unpredictable ID for every query (the session adds a random source port).
  auto id = static_cast<std::uint16_t>(ctx_.random->next() & 0xFFFF);
  std::optional<Edns> opt;
  if (edns) {
    opt.emplace();
    opt->udp_payload = config_.edns_payload;
  }
  Message q = make_query(id, l.qname, l.qtype, /*recursion_desired=*/false, std::move(opt));
  auto n = encode_message(q, query_buf_);
  // A question of at most 255 octets plus header and OPT always fits 512 octets.
  std::size_t size = n ? *n : 0;
  ++c.tries;
  ++stats_.queries_sent;
  Millis timeout = ctx_.infra->timeout(c.server, now);
  if (via == Transport::tcp) timeout = std::max(timeout, config_.timing.min_tcp_timeout);
  Millis left = config_.timing.resolution_timeout - std::chrono::duration_cast<Millis>(now - started_);
  timeout = std::max(Millis(1), std::min(timeout, left));
  out_ = Outstanding{true, candidate, c.server, via, id, edns, now};
  transmit_ = Transmit{c.server, via, id, std::span<const std::uint8_t>(query_buf_.data(), size), timeout};
  if (tracing()) {
    trace("ask " + c.server.to_string() + (via == Transport::tcp ? " over TCP" : "") + " (zone " +
          l.zone.to_string() + ") about " + describe(l.qname, l.qtype) + ", id " + std::to_string(id) +
          ", timeout " + std::to_string(timeout.count()) + " ms");
  }
}

bool Resolution::start_dependency() {
  if (stack_.size() > config_.limits.max_dependency_depth) return false;
  Lookup& l = stack_.back();
  // Names outside the zone first: they do not depend on the servers we are trying to reach.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& ns : l.missing) {
      if (ns.tried || (pass == 0 && ns.name.is_subdomain_of(l.zone))) continue;
      ns.tried = true;
      bool on_stack = std::any_of(stack_.begin(), stack_.end(), [&](const Lookup& o) {
        return o.qtype == RRType::A && o.qname == ns.name;
      });
      if (on_stack) continue;  // a dependency loop: this name is already being looked up below us
      if (tracing())
        trace("need the address of " + ns.name.to_string() + ", a server of " + l.zone.to_string());
      Lookup child;
      child.qname = ns.name;
      child.qtype = RRType::A;
      stack_.push_back(std::move(child));
      return true;
    }
  }
  return false;
}

ResponseVerdict Resolution::on_response(const ServerEndpoint& from, Transport via,
                                        std::span<const std::uint8_t> wire, Instant now) {
  auto reject = [&](ResponseVerdict v) {
    ++stats_.rejected;
    if (tracing()) trace(std::string("ignored a message from ") + from.to_string() + ": " + to_string(v));
    return v;
  };
  if (done_ || !out_.active) return reject(ResponseVerdict::no_query);
  // RFC 5452 §9.1: the answer must come from where the query went, carry its ID and repeat its question.
  if (!(from == out_.server)) return reject(ResponseVerdict::wrong_source);
  if (via != out_.via) return reject(ResponseVerdict::wrong_transport);
  if (wire.size() < kHeaderSize) return reject(ResponseVerdict::wrong_id);
  Header h = decode_header(wire);
  if (h.id != out_.id) return reject(ResponseVerdict::wrong_id);
  if (!h.qr || h.opcode != Opcode::QUERY) return reject(ResponseVerdict::not_a_response);
  auto m = decode_message(wire);
  if (!m) return reject(ResponseVerdict::malformed);
  const Lookup& l = stack_.back();
  bool echoes = m->questions.size() == 1 && m->questions[0].name == l.qname &&
                m->questions[0].type == l.qtype && m->questions[0].klass == RRClass::IN;
  // Error responses may leave the question out (RFC 1035 §4.1.1 does not require it).
  bool bare_error = m->questions.empty() && m->rcode() != Rcode::NOERROR && m->rcode() != Rcode::NXDOMAIN;
  if (!echoes && !bare_error) return reject(ResponseVerdict::wrong_question);

  out_.active = false;
  ctx_.infra->on_answer(out_.server, std::chrono::duration_cast<Millis>(now - out_.sent), now);
  handle(*m, now);
  if (!out_.active) advance(now);
  return ResponseVerdict::accepted;
}

void Resolution::on_timeout(Instant now) {
  if (done_ || !out_.active) return;
  out_.active = false;
  ++stats_.timeouts;
  ctx_.infra->on_timeout(out_.server, now);
  if (tracing()) trace("no answer from " + out_.server.to_string());
  advance(now);
}

void Resolution::cache_all(const Classification& c, Instant now) {
  for (const auto& s : c.cacheable) ctx_.cache->put(s.rrset, s.trust, now);
}

bool Resolution::append_chain(Lookup& l, std::span<const RRsetPtr> rrsets) {
  for (const auto& s : rrsets) {
    l.chain.push_back(AnswerRRset{s, answer_ttl(*s)});
    if (s->type == RRType::CNAME && l.qtype != RRType::CNAME) ++l.cnames;
  }
  if (l.cnames > config_.limits.max_cname_chain) {
    fail("CNAME chain longer than " + std::to_string(config_.limits.max_cname_chain));
    return false;
  }
  return true;
}

void Resolution::handle(const Message& m, Instant now) {
  Lookup& l = stack_.back();
  Candidate& c = l.candidates[out_.candidate];
  const std::string from = tracing() ? out_.server.to_string() : std::string();
  // RFC 1035 §4.2.1, RFC 7766 §5: a truncated answer is asked again over TCP.
  if (m.header.tc && out_.via == Transport::udp) {
    if (tracing()) trace("truncated answer from " + from + ": asking again over TCP");
    send(out_.candidate, Transport::tcp, out_.edns, now);
    return;
  }
  Rcode rcode = m.rcode();
  // RFC 6891 §7: a server that does not understand EDNS answers FORMERR (or NOTIMP): ask it again without.
  if (out_.edns && !m.edns && (rcode == Rcode::FORMERR || rcode == Rcode::NOTIMP) &&
      c.tries < config_.limits.max_tries_per_server) {
    c.no_edns = true;
    send(out_.candidate, out_.via, /*edns=*/false, now);
    return;
  }

  Classification cls = classify_response(m, l.qname, l.qtype, l.zone, config_.limits.max_cname_chain);
  stats_.records_dropped += cls.dropped;
  if (tracing()) {
    std::string line = std::string(to_string(cls.kind)) + " from " + from;
    if (cls.kind == ResponseKind::referral) line += ": " + cls.referral_ns->owner.to_string();
    if (cls.kind == ResponseKind::cname) line += ": continue at " + cls.final_name.to_string();
    if (cls.kind == ResponseKind::error) line += ": " + dns::to_string(rcode);
    if (*cls.reason) line += std::string(" (") + cls.reason + ")";
    if (cls.dropped > 0) line += ", " + std::to_string(cls.dropped) + " records dropped";
    trace(line);
  }
  switch (cls.kind) {
    case ResponseKind::error:
    case ResponseKind::lame:
      c.failed = true;  // another server of the zone may do better
      return;
    case ResponseKind::answer:
      cache_all(cls, now);
      if (append_chain(l, cls.chain)) complete(Rcode::NOERROR, {});
      return;
    case ResponseKind::nxdomain:
    case ResponseKind::nodata: {
      cache_all(cls, now);
      Rcode r = cls.kind == ResponseKind::nxdomain ? Rcode::NXDOMAIN : Rcode::NOERROR;
      AnswerRRset soa;
      if (cls.soa) {
        Ttl ttl = std::min(cls.negative_ttl, ctx_.cache->config().max_negative_ttl);
        ctx_.cache->put_negative(cls.final_name, l.qtype, r, cls.soa, ttl, now);
        soa = AnswerRRset{cls.soa, ttl};
      }
      if (append_chain(l, cls.chain)) complete(r, soa);
      return;
    }
    case ResponseKind::cname:
      cache_all(cls, now);
      if (!append_chain(l, cls.chain)) return;
      l.qname = cls.final_name;
      l.needs_delegation = true;
      return;
    case ResponseKind::referral: {
      cache_all(cls, now);
      ++stats_.referrals;
      if (!append_chain(l, cls.chain)) return;
      l.qname = cls.final_name;
      if (++l.referrals > config_.limits.max_referrals) {
        fail("more than " + std::to_string(config_.limits.max_referrals) + " referrals");
        return;
      }
      if (!set_delegation(l, cls.referral_ns->owner, *cls.referral_ns, cls.cacheable, now)) {
        fail("referral to " + cls.referral_ns->owner.to_string() + " without addresses of its servers");
      }
      return;
    }
  }
}

void Resolution::complete(Rcode rcode, AnswerRRset soa) {
  Lookup& l = stack_.back();
  if (stack_.size() == 1) {
    result_.rcode = rcode;
    result_.answer = std::move(l.chain);
    if (soa.rrset) result_.authority.push_back(soa);
    done_ = true;
    if (tracing()) {
      trace("done: " + dns::to_string(rcode) + ", " + std::to_string(result_.answer.size()) + " RRsets");
    }
    return;
  }
  // A dependency finished: its addresses become servers of the lookup below.
  Lookup child = std::move(l);
  stack_.pop_back();
  Lookup& parent = stack_.back();
  if (rcode == Rcode::NOERROR && !child.chain.empty()) {
    const RRsetData& last = *child.chain.back().rrset;
    if (last.type == RRType::A || last.type == RRType::AAAA) add_address(parent, last);
  }
}

void Resolution::fail(std::string why) {
  if (stack_.size() == 1) {
    fail_all(std::move(why));
    return;
  }
  // A dependency failed: the lookup below tries its other servers.
  if (tracing()) trace("gave up on " + stack_.back().qname.to_string() + ": " + why);
  stack_.pop_back();
}

void Resolution::fail_all(std::string why) {
  if (tracing()) trace("SERVFAIL: " + why);
  result_ = ResolutionResult{};
  result_.rcode = Rcode::SERVFAIL;
  result_.failure = std::move(why);
  out_.active = false;
  done_ = true;
}

}  // namespace endhost::dns::resolver
