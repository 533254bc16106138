#include "dns/server/secondary.hpp"

#include <algorithm>

#include "core/connection.hpp"
#include "core/host_port.hpp"
#include "core/system_random.hpp"
#include "dns/client/transport.hpp"
#include "dns/serial.hpp"
#include "dns/server/axfr_collector.hpp"
#include "dns/server/tsig_clock.hpp"
#include "dns/server/zone_files.hpp"

namespace endhost::dns::server {

using clock = std::chrono::steady_clock;

namespace {

// The records of a zone we serve, SOA first, as a transfer would have brought them.
std::vector<ResourceRecord> zone_records(const dns::Zone& zone) {
  std::vector<ResourceRecord> out;
  auto add = [&](NameView owner, const RRset& set) {
    for (std::size_t i = 0; i < set.size(); ++i) {
      auto rd = decode_rdata(set.type(), set.rdata(i));
      if (rd) out.push_back(ResourceRecord{Name(owner), set.type(), RRClass::IN, set.ttl(), std::move(*rd)});
    }
  };
  add(zone.origin(), zone.soa_rrset());
  for (const Node* n : zone.nodes()) {
    for (const RRset& set : n->rrsets) {
      if (set.type() != RRType::SOA) add(n->name, set);
    }
  }
  return out;
}

// Appends a TSIG record to the request `query` (RFC 8945 §4.2); `signer` then holds the request's MAC,
// which the answer's first message must chain.
bool sign_request(const TsigKey& key, std::vector<std::uint8_t>& query, std::optional<TsigSigner>& signer) {
  signer.emplace(key);
  const std::size_t size = query.size();
  query.resize(size + 128 + key.name.size());
  auto n = signer->sign(query, size, tsig_now());
  if (!n) return false;
  query.resize(*n);
  return true;
}

}  // namespace

struct Secondaries::Zone {
  Zone(asio::io_context& io, SecondarySpec s) : spec(std::move(s)), timer(io) {}
  SecondarySpec spec;
  std::string name;  // presentation form, for logs
  asio::steady_timer timer;
  bool notified = false;
  std::optional<std::uint32_t> serial;  // of the copy we serve
  std::vector<ResourceRecord> records;  // that copy, SOA first: what an IXFR's differences apply to
  const char* last_form = "AXFR";       // how the last transfer came: AXFR, IXFR, or IXFR in AXFR form
  clock::time_point last_ok;
  std::chrono::seconds refresh{0}, retry{0}, expire{0};
  core::SystemRandom random;  // query IDs (RFC 5452 §4.3): a forged SOA or AXFR answer must guess them
};

Expected<SecondarySpec, std::string> parse_secondary_spec(std::string_view text) {
  auto hint = [&](const std::string& why) {
    return Unexpected("--secondary " + std::string(text) + ": " + why +
                      " (write ZONE=PRIMARY_ADDR:PORT[,key=KEYNAME], e.g. example.com=192.0.2.1:53)");
  };
  std::optional<Name> key_name;
  if (auto comma = text.find(','); comma != std::string_view::npos) {
    std::string_view option = text.substr(comma + 1);
    text = text.substr(0, comma);
    if (option.rfind("key=", 0) != 0) return hint("'" + std::string(option) + "' is not key=KEYNAME");
    auto k = Name::from_string(option.substr(4));
    if (!k || option.size() == 4) return hint("'" + std::string(option.substr(4)) + "' is not a key name");
    key_name = *k;
  }
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return hint("missing ZONE=");
  auto origin = Name::from_string(text.substr(0, eq));
  if (!origin) return hint("'" + std::string(text.substr(0, eq)) + "' is not a zone name");
  auto hp = core::parse_host_port(text.substr(eq + 1), 53);
  if (!hp) return hint(hp.error());
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hp->host, ec);
  if (ec) return hint("'" + hp->host + "' is not an IP address");
  return SecondarySpec{*origin, address, hp->port, key_name, std::nullopt};
}

Secondaries::Secondaries(asio::io_context& control, std::vector<SecondarySpec> specs, std::string state_dir,
                         std::size_t max_records, SecondaryTimers timers, ZoneControl& zones,
                         core::Logger& log, core::MetricsRegistry& metrics, SourceAddress source,
                         core::SocketPlace place)
    : control_(control),
      state_dir_(std::move(state_dir)),
      max_records_(max_records),
      timers_(timers),
      source_(std::move(source)),
      place_(std::move(place)),
      control_zones_(zones),
      log_(log),
      transfers_(
          &metrics.counter("endhost_dns_secondary_transfers_total", "Zones transferred from primaries")),
      failures_(
          &metrics.counter("endhost_dns_secondary_failures_total", "SOA checks or transfers that failed")) {
  for (auto& s : specs) {
    auto z = std::make_unique<Zone>(control, std::move(s));
    z->name = z->spec.origin.to_string();
    zones_.push_back(std::move(z));
  }
}

Secondaries::~Secondaries() = default;

void Secondaries::start() {
  for (auto& z : zones_) {
    if (const auto* copy = control_zones_.published().find_exact(z->spec.origin)) {
      // A copy saved by an earlier run: serve it now, and count its age from now (the file has no
      // timestamp of the last successful check).
      z->serial = copy->soa().serial;
      z->records = zone_records(*copy);
      z->last_ok = clock::now();
      read_timers(*z, copy->soa());
    }
    asio::co_spawn(control_, run(*z), asio::detached);
  }
}

void Secondaries::stop() {
  stopping_ = true;
  for (auto& z : zones_) z->timer.cancel();
}

Rcode Secondaries::on_notify(const Name& origin, const asio::ip::address& from, const Name* key) {
  for (auto& z : zones_) {
    if (!(z->spec.origin == origin)) continue;
    if (from != z->spec.primary) return Rcode::REFUSED;
    // With a key, only a NOTIFY signed with it counts (RFC 8945 §5.2 already checked its MAC and time).
    if (z->spec.key && (key == nullptr || !(key->view() == z->spec.key->name.view()))) {
      log_.warn("NOTIFY refused: not signed with the zone's TSIG key",
                {{"service", "dns"}, {"zone", z->name}, {"key", z->spec.key->name.to_string()}});
      return Rcode::REFUSED;
    }
    Zone* zone = z.get();
    asio::post(control_, [zone] {
      zone->notified = true;
      zone->timer.cancel();
    });
    return Rcode::NOERROR;
  }
  return Rcode::NOTAUTH;
}

void Secondaries::read_timers(Zone& z, const rdata::Soa& soa) {
  auto clamp = [&](std::uint32_t s) {
    return std::clamp(std::chrono::seconds(s), timers_.min_interval, timers_.max_interval);
  };
  z.refresh = clamp(soa.refresh);
  z.retry = clamp(soa.retry);
  z.expire = std::chrono::seconds(soa.expire);
}

awaitable<void> Secondaries::run(Zone& z) {
  while (!stopping_) {
    z.notified = false;
    bool ok = co_await refresh(z);
    if (ok) z.last_ok = clock::now();
    if (!ok && z.serial && clock::now() - z.last_ok >= z.expire) {
      // RFC 1035 §3.3.13: past EXPIRE the data is no longer authoritative.
      log_.warn("secondary zone expired: the primary was unreachable for the SOA EXPIRE time",
                {{"service", "dns"}, {"zone", z.name}});
      z.serial.reset();
      co_await control_zones_.remove(z.spec.origin);
    }
    if (stopping_) break;
    if (z.notified) continue;  // a NOTIFY came in while we were busy
    auto wait = ok ? z.refresh : (z.serial ? z.retry : timers_.first_retry);
    z.timer.expires_after(wait);
    co_await z.timer.async_wait(use_nothrow);
  }
}

bool Secondaries::failed(const Zone& z, const std::string& what, const std::string& error) {
  failures_->inc();
  log_.warn(
      what,
      {{"service", "dns"}, {"zone", z.name}, {"primary", z.spec.primary.to_string()}, {"error", error}});
  return false;
}

awaitable<bool> Secondaries::refresh(Zone& z) {
  // RFC 1034 §4.3.5: compare serials first; transfer only when the primary's copy is newer.
  auto serial = co_await primary_serial(z);
  if (!serial) co_return failed(z, "SOA check failed", serial.error());
  if (z.serial && !serial_newer(*serial, *z.serial)) {
    log_.debug("secondary zone up to date", {{"service", "dns"}, {"zone", z.name}, {"serial", *serial}});
    co_return true;
  }
  auto records = co_await transfer(z);
  if (!records) co_return failed(z, "zone transfer failed", records.error());
  const auto soa = std::get<rdata::Soa>(records->front().rdata);
  std::size_t count = records->size();
  auto kept = *records;
  auto installed = co_await control_zones_.install(z.spec.origin, std::move(*records),
                                                   saved_zone_path(state_dir_, z.spec.origin));
  if (!installed) co_return failed(z, "transferred zone not installed", installed.error());
  transfers_->inc();
  z.serial = soa.serial;
  z.records = std::move(kept);
  read_timers(z, soa);
  log_.info("zone transferred", {{"service", "dns"},
                                 {"zone", z.name},
                                 {"serial", static_cast<std::int64_t>(soa.serial)},
                                 {"records", count},
                                 {"transfer", z.last_form},
                                 {"primary", z.spec.primary.to_string()}});
  co_return true;
}

awaitable<Expected<std::uint32_t, std::string>> Secondaries::primary_serial(Zone& z) {
  const std::uint16_t id = z.random.next16();
  auto query = encode_message(make_query(id, z.spec.origin, RRType::SOA, false));
  if (!query) co_return Unexpected(std::string("cannot encode the SOA query"));
  std::optional<TsigSigner> signer;
  if (z.spec.key && !sign_request(*z.spec.key, *query, signer))
    co_return Unexpected(std::string("cannot sign the SOA query"));
  client::UdpExchangeOptions options;
  options.timeout = timers_.query_timeout;
  options.source = source_;
  options.place = place_;
  auto reply = co_await client::exchange_udp({z.spec.primary, z.spec.port}, *query, options);
  if (reply && reply->size() >= kHeaderSize && decode_header(*reply).tc) {
    reply = co_await client::exchange_tcp({z.spec.primary, z.spec.port}, *query, timers_.io_timeout, source_,
                                          place_);
  }
  if (!reply) co_return Unexpected(reply.error());
  if (signer) {
    // RFC 8945 §5.3.1: an answer to a signed request must be signed; one that is not is discarded.
    auto verified = verify_response(*reply, *z.spec.key, signer->last_mac(), true, tsig_now());
    if (!verified) co_return Unexpected("TSIG: " + verified.error());
  }
  auto m = decode_message(*reply);
  if (!m) co_return Unexpected("malformed SOA answer: " + m.error().to_string());
  if (m->rcode() != Rcode::NOERROR) co_return Unexpected("the primary answered " + to_string(m->rcode()));
  if (!m->header.aa) co_return Unexpected(std::string("the primary is not authoritative for the zone"));
  for (const auto& rr : m->answers) {
    if (rr.type == RRType::SOA && rr.name == z.spec.origin) co_return std::get<rdata::Soa>(rr.rdata).serial;
  }
  co_return Unexpected(std::string("the primary's answer has no SOA record"));
}

// IXFR first (RFC 1995): only the differences travel. A primary that cannot answer it (an error RCODE, a
// broken stream, differences that do not apply to our copy) is asked again with AXFR.
awaitable<Expected<std::vector<ResourceRecord>, std::string>> Secondaries::transfer(Zone& z) {
  if (!z.records.empty()) {
    auto incremental = co_await transfer_once(z, z.records);
    if (incremental) co_return incremental;
    log_.info("IXFR failed, asking AXFR",
              {{"service", "dns"}, {"zone", z.name}, {"error", incremental.error()}});
  }
  co_return co_await transfer_once(z, {});
}

awaitable<Expected<std::vector<ResourceRecord>, std::string>> Secondaries::transfer_once(
    Zone& z, std::vector<ResourceRecord> current) {
  const std::uint16_t id = z.random.next16();
  const bool ixfr = !current.empty();
  Message request = make_query(id, z.spec.origin, ixfr ? RRType::IXFR : RRType::AXFR, false, std::nullopt);
  if (ixfr) request.authorities.push_back(current.front());  // our SOA (RFC 1995 §3)
  auto query = encode_message(request);
  if (!query) co_return Unexpected(std::string("cannot encode the transfer query"));
  std::optional<TsigSigner> signer;
  if (z.spec.key && !sign_request(*z.spec.key, *query, signer))
    co_return Unexpected(std::string("cannot sign the transfer query"));
  std::vector<std::uint8_t> prior_mac;
  if (signer) prior_mac = signer->last_mac();
  const auto executor = co_await asio::this_coro::executor;
  client::TcpChannel channel(executor);
  asio::ip::tcp::endpoint primary(z.spec.primary, z.spec.port);
  const auto connected = co_await channel.connect(primary, timers_.io_timeout, source_, place_);
  if (!connected) co_return Unexpected(connected.error());
  const auto sent = co_await channel.send(*query, timers_.io_timeout);
  if (!sent) co_return Unexpected(sent.error());
  AxfrCollector collector = ixfr ? AxfrCollector(z.spec.origin, id, max_records_, std::move(current))
                                 : AxfrCollector(z.spec.origin, id, max_records_);
  auto deadline = clock::now() + timers_.transfer_limit;
  while (collector.status() == AxfrCollector::Status::more) {
    if (clock::now() >= deadline) co_return Unexpected(std::string("the transfer took too long"));
    auto message = co_await channel.receive(timers_.io_timeout);
    if (!message) co_return Unexpected(message.error());
    if (signer) {
      // RFC 8945 §5.3.1: each message chains the previous one's MAC; we require every one to be signed, as
      // our primary signs them (§4.3.2 also allows up to 99 unsigned ones in between).
      auto verified =
          verify_response(*message, *z.spec.key, prior_mac, collector.messages() == 0, tsig_now());
      if (!verified)
        co_return Unexpected("TSIG, message " + std::to_string(collector.messages() + 1) + ": " +
                             verified.error());
      prior_mac = std::move(*verified);
    }
    collector.feed(*message);
  }
  channel.close();
  if (collector.status() == AxfrCollector::Status::failed) co_return Unexpected(collector.error());
  z.last_form = !ixfr ? "AXFR" : collector.incremental() ? "IXFR" : "IXFR in AXFR form";
  co_return collector.take_records();
}

}  // namespace endhost::dns::server
