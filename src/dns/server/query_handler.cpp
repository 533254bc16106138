#include "dns/server/query_handler.hpp"

#include <string>

#include "dns/header.hpp"
#include "dns/server/bare_response.hpp"

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
                                                   std::string_view peer, std::span<std::uint8_t> out) {
  Slot& slot = slots_[loop];
  if (q.verdict == QueryVerdict::drop) {
    answers_[static_cast<std::size_t>(AnswerKind::dropped)]->inc(1, loop);
    return {};
  }
  // RFC 1996 §3.7: a NOTIFY names the zone in its question, with QTYPE SOA.
  if (q.header.opcode == Opcode::NOTIFY && q.has_question) {
    notifies_->inc(1, loop);
    Rcode rcode = on_notify_ ? on_notify_(q.qname, from) : Rcode::NOTAUTH;
    std::size_t n = write_bare_response(q, rcode, true, out);
    if (config_.transcript.enabled()) {
      config_.transcript.client(peer, "NOTIFY " + q.qname.to_string());
      config_.transcript.server(peer, "NOTIFY response " + dns::to_string(rcode));
    }
    return out.first(n);
  }
  AnswerOptions options;
  options.transport = transport;
  options.rotation = slot.rotation++;
  options.max_udp_payload = config_.max_udp_payload;
  AnswerResult r = answer(q, zones_.get(loop), options, out);
  answers_[static_cast<std::size_t>(r.kind)]->inc(1, loop);
  if (r.truncated) truncated_->inc(1, loop);
  auto response = out.first(r.size);
  if (config_.transcript.enabled()) trace(q, response, peer);
  return response;
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
