#include "dns/server/query_handler.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/address_acl_asio.hpp"
#include "dns/header.hpp"
#include "dns/serial.hpp"
#include "dns/server/bare_response.hpp"
#include "dns/server/tsig_clock.hpp"
#include "dns/transfer.hpp"

namespace endhost::dns::server {

const char* to_string(AnswerKind kind) {
  switch (kind) {
    case AnswerKind::dropped:
      return "dropped";
    case AnswerKind::answer:
      return "answer";
    case AnswerKind::nodata:
      return "nodata";
    case AnswerKind::nxdomain:
      return "nxdomain";
    case AnswerKind::referral:
      return "referral";
    case AnswerKind::refused:
      return "refused";
    case AnswerKind::formerr:
      return "formerr";
    case AnswerKind::notimp:
      return "notimp";
    case AnswerKind::badvers:
      return "badvers";
  }
  return "unknown";
}

QueryHandler::QueryHandler(core::EventLoops& loops, LoopZones& zones, QueryHandlerConfig config,
                           core::MetricsRegistry& metrics)
    : zones_(zones), config_(std::move(config)), slots_(loops.size()) {
  identity_ = ServerIdentity{config_.version_text, config_.hostname_text};
  for (auto& s : slots_) s.scratch = std::make_unique<std::uint8_t[]>(kMaxMessageSize);
  for (std::size_t k = 0; k < kKinds; ++k) {
    answers_[k] = &metrics.counter("endhost_dns_responses_total", "DNS messages handled, by outcome",
                                   {{"result", to_string(static_cast<AnswerKind>(k))}});
  }
  truncated_ = &metrics.counter("endhost_dns_truncated_total", "UDP responses sent with TC set");
  notifies_ = &metrics.counter("endhost_dns_notify_received_total", "NOTIFY requests received");
}

std::uint64_t QueryHandler::messages() const {
  std::uint64_t n = notifies_->value();
  for (const core::Counter* c : answers_) n += c->value();
  return n;
}

std::span<const std::uint8_t> QueryHandler::handle(std::size_t loop, const ParsedQuery& q,
                                                   Transport transport, const asio::ip::address& from,
                                                   std::string_view peer, std::span<std::uint8_t> out,
                                                   std::span<const std::uint8_t> packet) {
  Slot& slot = slots_[loop];
  if (q.verdict == QueryVerdict::drop) {
    answers_[static_cast<std::size_t>(AnswerKind::dropped)]->inc(1, loop);
    return {};
  }
  if (q.has_tsig && !packet.empty()) return handle_signed(loop, q, transport, from, peer, out, packet);
  // parse_query does not look for a TSIG for opcodes other than QUERY, yet a NOTIFY may be signed (RFC 8945
  // §5.2: checked like any request, and the secondary wants to know by which key), and the NOTIMP to a
  // verified request of another opcode is signed too (§5.3). `packet` is empty on the inner, unsigned pass.
  if (q.verdict == QueryVerdict::notimp && !packet.empty()) {
    if (find_tsig(packet).value_or(std::nullopt)) {
      ParsedQuery signed_query = q;
      signed_query.has_tsig = true;
      return handle_signed(loop, signed_query, transport, from, peer, out, packet);
    }
  }
  // RFC 1996 §3.7: a NOTIFY names the zone in its question, with QTYPE SOA.
  if (q.header.opcode == Opcode::NOTIFY && q.has_question) return notify(loop, q, from, peer, out, nullptr);
  if (q.verdict == QueryVerdict::answer && q.qtype == RRType::IXFR && transport == Transport::udp) {
    auto response = ixfr_udp(loop, q, from, out);
    if (config_.transcript.enabled()) trace(q, response, peer);
    return response;
  }
  AnswerOptions options;
  options.transport = transport;
  options.rotation = slot.rotation++;
  options.max_udp_payload = config_.max_udp_payload;
  options.identity = config_.identity_enabled ? &identity_ : nullptr;
  AnswerResult r = answer(q, zones_.get(loop), options, out);
  answers_[static_cast<std::size_t>(r.kind)]->inc(1, loop);
  if (r.truncated) truncated_->inc(1, loop);
  auto response = out.first(r.size);
  if (config_.transcript.enabled()) trace(q, response, peer);
  return response;
}

std::span<const std::uint8_t> QueryHandler::notify(std::size_t loop, const ParsedQuery& q,
                                                   const asio::ip::address& from, std::string_view peer,
                                                   std::span<std::uint8_t> out, const Name* key) {
  notifies_->inc(1, loop);
  Rcode rcode = on_notify_ ? on_notify_(q.qname, from, key) : Rcode::NOTAUTH;
  std::size_t n = write_bare_response(q, rcode, true, out);
  if (config_.transcript.enabled()) {
    config_.transcript.client(peer, "NOTIFY " + q.qname.to_string());
    config_.transcript.server(peer, "NOTIFY response " + dns::to_string(rcode));
  }
  return out.first(n);
}

QueryHandler::TsigOutcome QueryHandler::check_tsig(const ParsedQuery& q, std::span<const std::uint8_t> packet,
                                                   std::span<std::uint8_t> out) const {
  TsigOutcome o;
  auto found = find_tsig(packet);
  if (!found || !*found) {
    o.reply = write_bare_response(q, Rcode::FORMERR, false, out);  // §5.1: TSIG not last, or malformed
    return o;
  }
  const TsigRecord& t = **found;
  const std::uint64_t now = tsig_now();
  TsigCheck c = verify_request(packet, t, config_.tsig_keys, now);
  if (c.error == TsigError::none) {
    o.signer.emplace(*c.key, std::move(c.request_mac));
    o.room = 128 + c.key->name.size();
    return o;
  }
  // §5.2: NOTAUTH, with the TSIG error; unsigned unless the key and MAC were good (BADTIME).
  std::size_t n = write_bare_response(q, Rcode::NOTAUTH, false, out);
  std::optional<std::size_t> signed_n;
  if (c.error == TsigError::badtime) {
    TsigSigner s(*c.key, std::move(c.request_mac));
    signed_n = s.sign(out, n, now, TsigError::badtime);
  } else {
    signed_n = append_unsigned_tsig(out, n, t, c.error, now);
  }
  o.reply = signed_n.value_or(n);
  return o;
}

std::span<const std::uint8_t> QueryHandler::handle_signed(std::size_t loop, const ParsedQuery& q,
                                                          Transport transport, const asio::ip::address& from,
                                                          std::string_view peer, std::span<std::uint8_t> out,
                                                          std::span<const std::uint8_t> packet) {
  TsigOutcome t = check_tsig(q, packet, out);
  if (!t.signer) {
    answers_[static_cast<std::size_t>(AnswerKind::refused)]->inc(1, loop);
    auto reply = out.first(t.reply);
    if (config_.transcript.enabled()) trace(q, reply, peer);
    return reply;
  }
  // The answer as if unsigned, in a buffer that leaves room for the TSIG record within the client's limit.
  std::size_t limit = out.size();
  if (transport == Transport::udp) {
    limit = std::min(limit, q.has_edns
                                ? std::clamp<std::size_t>(q.udp_payload, kMinUdpPayload,
                                                          std::max(kMinUdpPayload, config_.max_udp_payload))
                                : kMinUdpPayload);
  }
  ParsedQuery inner = q;
  inner.has_tsig = false;
  auto room = out.first(limit - std::min(limit, t.room));
  // A signed NOTIFY tells the secondary which key vouched for it (a zone with a key wants that one).
  auto unsigned_reply = q.header.opcode == Opcode::NOTIFY && q.has_question
                            ? notify(loop, inner, from, peer, room, &t.signer->key().name)
                            : handle(loop, inner, transport, from, peer, room);
  if (unsigned_reply.empty()) return unsigned_reply;
  auto n = t.signer->sign(out.first(limit), unsigned_reply.size(), tsig_now());
  return n ? out.first(*n) : unsigned_reply;
}

std::span<const std::uint8_t> QueryHandler::ixfr_udp(std::size_t loop, const ParsedQuery& q,
                                                     const asio::ip::address& from,
                                                     std::span<std::uint8_t> out) {
  const ZoneSet& zones = zones_.get(loop);
  const Zone* zone = zones.find_exact(q.qname);
  const bool allowed = config_.allow_transfer && core::allows(*config_.allow_transfer, from);
  // As over TCP (RFC 5936 §2.2.1 by analogy): REFUSED for policy, NOTAUTH for a zone not served here.
  if (!allowed || q.qclass != RRClass::IN || !zone) {
    answers_[static_cast<std::size_t>(AnswerKind::refused)]->inc(1, loop);
    const Rcode rcode = allowed && q.qclass == RRClass::IN ? Rcode::NOTAUTH : Rcode::REFUSED;
    return out.first(write_bare_response(q, rcode, false, out));
  }
  answers_[static_cast<std::size_t>(AnswerKind::answer)]->inc(1, loop);
  const std::size_t limit = std::min(
      out.size(), q.has_edns ? std::clamp<std::size_t>(q.udp_payload, kMinUdpPayload, config_.max_udp_payload)
                             : kMinUdpPayload);
  std::span<const ZoneDelta> deltas;
  bool whole = true;
  if (serial_newer(zone->soa().serial, *q.ixfr_serial)) {
    auto journal = zones.journal(zone->origin());
    auto known = journal ? journal->from(*q.ixfr_serial) : std::nullopt;
    if (known) {
      deltas = *known;
      IxfrStream stream(*zone, deltas, q);
      whole = stream.fits_in(limit);
      if (whole) {
        auto n = stream.next(out.first(limit));
        return n ? out.first(*n) : std::span<const std::uint8_t>();
      }
    } else {
      whole = false;  // the answer would be the whole zone (RFC 1995 §4): over TCP
    }
  }
  // Up to date, or too large for a datagram: the current SOA alone (RFC 1995 §2); TC in the second case.
  IxfrStream soa_only(*zone, {}, q);
  auto n = soa_only.next(out.first(limit));
  if (!n) return {};
  if (!whole) {
    out[2] |= 0x02;  // TC
    truncated_->inc(1, loop);
  }
  return out.first(*n);
}

void QueryHandler::trace(const ParsedQuery& q, std::span<const std::uint8_t> response,
                         std::string_view peer) const {
  std::string asked = "query id " + std::to_string(q.header.id);
  if (q.has_question) {
    asked += " " + q.qname.to_string() + " " + dns::to_string(q.qclass) + " " + dns::to_string(q.qtype);
  }
  config_.transcript.client(peer, asked);
  if (response.size() < kHeaderSize) {
    config_.transcript.note(peer, std::string("dropped: ") + q.reason);
    return;
  }
  Header h = decode_header(response);
  std::string said = dns::to_string(static_cast<Rcode>(h.rcode));
  if (h.aa) said += " aa";
  if (h.tc) said += " tc";
  said += ", " + std::to_string(h.ancount) + " answer, " + std::to_string(h.nscount) + " authority, " +
          std::to_string(h.arcount) + " additional, " + std::to_string(response.size()) + " octets";
  config_.transcript.server(peer, said);
}

}  // namespace endhost::dns::server
