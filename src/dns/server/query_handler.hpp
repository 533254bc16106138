// Answers one DNS message for the UDP and TCP sessions of the authoritative server, on the calling event
// loop: the zones come from that loop's LoopZones slot and the response is written into that loop's scratch
// buffer, so answering a query allocates nothing. NOTIFY requests (RFC 1996) are handed to the secondary
// manager through `on_notify`; everything else goes to the sans-I/O answer engine (dns/answer.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/address_acl.hpp"
#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "core/metrics.hpp"
#include "core/transcript.hpp"
#include "dns/answer.hpp"
#include "dns/query.hpp"
#include "dns/server/loop_zones.hpp"
#include "dns/tsig.hpp"

namespace endhost::dns::server {

struct QueryHandlerConfig {
  // Our EDNS UDP payload size: advertised in responses and the cap on UDP answers (RFC 6891 §6.2.5).
  std::uint16_t max_udp_payload = kDefaultEdnsPayload;
  core::Transcript transcript;
  // RFC 4892 identity answers (version.bind, hostname.bind, id.server, …); off: all CH queries REFUSED.
  bool identity_enabled = true;
  // Who may ask IXFR over UDP (RFC 1995 §2); the same list as TCP transfers. Null: nobody.
  const core::AddressAcl* allow_transfer = nullptr;
  // TSIG keys (RFC 8945, --tsig-key): a signed request is checked against them and its answer signed.
  std::vector<TsigKey> tsig_keys;
  std::string version_text;   // version.bind, version.server; empty refuses them
  std::string hostname_text;  // hostname.bind, id.server, hostname.server; empty refuses them
};

// Decides a NOTIFY for `origin` from `from` (called on the loop that received it): NOERROR when a refresh was
// scheduled, NOTAUTH when the zone is not a secondary here, REFUSED when `from` is not its primary.
// `key`: the TSIG key the NOTIFY was signed with and verified against (RFC 8945), null when unsigned.
using NotifyHook = std::function<Rcode(const Name& origin, const asio::ip::address& from, const Name* key)>;

class QueryHandler {
 public:
  QueryHandler(core::EventLoops& loops, LoopZones& zones, QueryHandlerConfig config,
               core::MetricsRegistry& metrics);

  void set_notify_hook(NotifyHook hook) { on_notify_ = std::move(hook); }

  // Answers `packet` (already parsed into `q`) on loop `loop`. The returned bytes live in the loop's scratch
  // buffer until the next call on that loop; empty means "send nothing". `peer` is used only for --trace.
  std::span<const std::uint8_t> handle(std::size_t loop, const ParsedQuery& q, Transport transport,
                                       const asio::ip::address& from, std::string_view peer,
                                       std::span<const std::uint8_t> packet = {}) {
    return handle(loop, q, transport, from, peer, scratch(loop), packet);
  }
  // The same, writing into `out` (at least 512 octets; the UDP front end passes one slot of its batch).
  std::span<const std::uint8_t> handle(std::size_t loop, const ParsedQuery& q, Transport transport,
                                       const asio::ip::address& from, std::string_view peer,
                                       std::span<std::uint8_t> out,
                                       std::span<const std::uint8_t> packet = {});

  // RFC 8945 §5.2 for a request with a TSIG record (`packet` is its wire form): either the error reply,
  // already written into `out` (FORMERR for a malformed TSIG; NOTAUTH with BADKEY, BADSIG or BADTRUNC,
  // unsigned; NOTAUTH with BADTIME, signed), or the signer the answer must be signed with.
  struct TsigOutcome {
    std::size_t reply = 0;
    std::optional<TsigSigner> signer;
    std::size_t room = 0;  // octets the answer must leave free for the TSIG record
  };
  TsigOutcome check_tsig(const ParsedQuery& q, std::span<const std::uint8_t> packet,
                         std::span<std::uint8_t> out) const;

  // The loop's scratch buffer (kMaxMessageSize octets), for sessions that build other messages (AXFR).
  std::span<std::uint8_t> scratch(std::size_t loop) { return {slots_[loop].scratch.get(), kMaxMessageSize}; }

  const LoopZones& zones() const { return zones_; }
  const QueryHandlerConfig& config() const { return config_; }

  void count(std::size_t loop, AnswerKind kind) { answers_[static_cast<std::size_t>(kind)]->inc(1, loop); }
  // Every message handled so far, whatever its outcome, NOTIFY included (from the metrics). Thread-safe.
  std::uint64_t messages() const;

 private:
  struct alignas(64) Slot {
    std::unique_ptr<std::uint8_t[]> scratch;
    std::uint32_t rotation = 0;
  };
  // IXFR over UDP (RFC 1995 §2): the current SOA when the client is up to date, the incremental answer when
  // it fits one datagram, else the current SOA with TC so the client asks again over TCP.
  std::span<const std::uint8_t> ixfr_udp(std::size_t loop, const ParsedQuery& q,
                                         const asio::ip::address& from, std::span<std::uint8_t> out);
  std::span<const std::uint8_t> handle_signed(std::size_t loop, const ParsedQuery& q, Transport transport,
                                              const asio::ip::address& from, std::string_view peer,
                                              std::span<std::uint8_t> out,
                                              std::span<const std::uint8_t> packet);
  std::span<const std::uint8_t> notify(std::size_t loop, const ParsedQuery& q, const asio::ip::address& from,
                                       std::string_view peer, std::span<std::uint8_t> out, const Name* key);
  void trace(const ParsedQuery& q, std::span<const std::uint8_t> response, std::string_view peer) const;

  LoopZones& zones_;
  QueryHandlerConfig config_;
  std::vector<Slot> slots_;
  NotifyHook on_notify_;
  ServerIdentity identity_;  // views into config_
  static constexpr std::size_t kKinds = static_cast<std::size_t>(AnswerKind::badvers) + 1;
  std::array<core::Counter*, kKinds> answers_{};
  core::Counter* truncated_ = nullptr;
  core::Counter* notifies_ = nullptr;
};

const char* to_string(AnswerKind kind);

}  // namespace endhost::dns::server
