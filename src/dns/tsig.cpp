#include "dns/tsig.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

#include "dns/header.hpp"
#include "dns/wire_reader.hpp"

namespace endhost::dns {

namespace {

const EVP_MD* digest_of(TsigAlgorithm a) {
  switch (a) {
    case TsigAlgorithm::hmac_sha1:
      return EVP_sha1();
    case TsigAlgorithm::hmac_sha256:
      return EVP_sha256();
    case TsigAlgorithm::hmac_sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

std::string_view algorithm_text(TsigAlgorithm a) {
  switch (a) {
    case TsigAlgorithm::hmac_sha1:
      return "hmac-sha1.";
    case TsigAlgorithm::hmac_sha256:
      return "hmac-sha256.";
    case TsigAlgorithm::hmac_sha512:
      return "hmac-sha512.";
  }
  return "hmac-sha256.";
}

Name algorithm_name(TsigAlgorithm a) {
  auto n = Name::from_string(algorithm_text(a));
  return n ? *n : Name();
}

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

void put48(std::vector<std::uint8_t>& v, std::uint64_t x) {
  for (int shift = 40; shift >= 0; shift -= 8) v.push_back(static_cast<std::uint8_t>(x >> shift));
}

void put_canonical(std::vector<std::uint8_t>& v, const Name& n) {
  Name lower = n;
  lower.to_lower();
  auto w = lower.wire();
  v.insert(v.end(), w.begin(), w.end());
}

// The TSIG variables of §4.3.3 (or only the timers, §4.3.2).
void put_variables(std::vector<std::uint8_t>& v, const Name& key, const Name& algorithm, std::uint64_t time,
                   std::uint16_t fudge, std::uint16_t error, std::span<const std::uint8_t> other,
                   bool timers_only) {
  if (!timers_only) {
    put_canonical(v, key);
    put16(v, 255);  // CLASS ANY
    put16(v, 0);    // TTL 0
    put16(v, 0);
    put_canonical(v, algorithm);
  }
  put48(v, time);
  put16(v, fudge);
  if (timers_only) return;
  put16(v, error);
  put16(v, static_cast<std::uint16_t>(other.size()));
  v.insert(v.end(), other.begin(), other.end());
}

std::vector<std::uint8_t> hmac(const TsigKey& key, std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(digest_of(key.algorithm), key.secret.data(), static_cast<int>(key.secret.size()), data.data(),
       data.size(), out.data(), &len);
  return {out.begin(), out.begin() + len};
}

// What the MAC covers: the prior MAC (if any), the message without its TSIG, with the original ID and the
// ARCOUNT it had before the TSIG was added, then the variables.
std::vector<std::uint8_t> digest_input(std::span<const std::uint8_t> prior_mac, bool with_prior,
                                       std::span<const std::uint8_t> message, std::uint16_t original_id,
                                       std::uint16_t arcount) {
  std::vector<std::uint8_t> v;
  v.reserve(message.size() + prior_mac.size() + 128);
  if (with_prior) {
    put16(v, static_cast<std::uint16_t>(prior_mac.size()));
    v.insert(v.end(), prior_mac.begin(), prior_mac.end());
  }
  const std::size_t at = v.size();
  v.insert(v.end(), message.begin(), message.end());
  if (message.size() >= kHeaderSize) {
    v[at] = static_cast<std::uint8_t>(original_id >> 8);
    v[at + 1] = static_cast<std::uint8_t>(original_id);
    v[at + 10] = static_cast<std::uint8_t>(arcount >> 8);
    v[at + 11] = static_cast<std::uint8_t>(arcount);
  }
  return v;
}

std::optional<TsigAlgorithm> algorithm_from(NameView n) {
  for (TsigAlgorithm a : {TsigAlgorithm::hmac_sha1, TsigAlgorithm::hmac_sha256, TsigAlgorithm::hmac_sha512}) {
    if (algorithm_name(a).view() == n) return a;
  }
  return std::nullopt;
}

std::optional<std::size_t> append_record(std::span<std::uint8_t> buf, std::size_t size, const Name& key,
                                         const Name& algorithm, std::uint64_t time, std::uint16_t fudge,
                                         std::span<const std::uint8_t> mac, std::uint16_t original_id,
                                         std::uint16_t error, std::span<const std::uint8_t> other) {
  std::vector<std::uint8_t> rr;
  auto kw = key.wire();
  rr.insert(rr.end(), kw.begin(), kw.end());
  put16(rr, kTsigType);
  put16(rr, 255);
  put16(rr, 0);
  put16(rr, 0);
  std::vector<std::uint8_t> rdata;
  auto aw = algorithm.wire();
  rdata.insert(rdata.end(), aw.begin(), aw.end());
  put48(rdata, time);
  put16(rdata, fudge);
  put16(rdata, static_cast<std::uint16_t>(mac.size()));
  rdata.insert(rdata.end(), mac.begin(), mac.end());
  put16(rdata, original_id);
  put16(rdata, error);
  put16(rdata, static_cast<std::uint16_t>(other.size()));
  rdata.insert(rdata.end(), other.begin(), other.end());
  put16(rr, static_cast<std::uint16_t>(rdata.size()));
  rr.insert(rr.end(), rdata.begin(), rdata.end());
  if (size < kHeaderSize || buf.size() < size + rr.size() || size + rr.size() > 65535) return std::nullopt;
  std::copy(rr.begin(), rr.end(), buf.begin() + static_cast<std::ptrdiff_t>(size));
  std::uint16_t arcount = static_cast<std::uint16_t>(buf[10] << 8 | buf[11]);
  ++arcount;
  buf[10] = static_cast<std::uint8_t>(arcount >> 8);
  buf[11] = static_cast<std::uint8_t>(arcount);
  return size + rr.size();
}

std::array<std::uint8_t, 6> time48(std::uint64_t t) {
  std::array<std::uint8_t, 6> out{};
  for (std::size_t i = 0; i < 6; ++i) out[i] = static_cast<std::uint8_t>(t >> (40 - 8 * i));
  return out;
}

}  // namespace

Expected<TsigKey, std::string> parse_tsig_key(std::string_view spec) {
  auto bad = [&](const std::string& why) {
    return Unexpected("--tsig-key " + std::string(spec) + ": " + why +
                      " (write NAME:ALGORITHM:BASE64, e.g. xfr-key:hmac-sha256:c2VjcmV0c2VjcmV0)");
  };
  auto first = spec.find(':');
  auto second = first == std::string_view::npos ? first : spec.find(':', first + 1);
  if (second == std::string_view::npos) return bad("expected three fields");
  auto name = Name::from_string(spec.substr(0, first));
  if (!name || spec.substr(0, first).empty())
    return bad("'" + std::string(spec.substr(0, first)) + "' is not a key name");
  std::string alg(spec.substr(first + 1, second - first - 1));
  std::transform(alg.begin(), alg.end(), alg.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (alg.rfind("hmac-", 0) != 0) alg = "hmac-" + alg;
  TsigKey key;
  key.name = *name;
  if (alg == "hmac-sha1") {
    key.algorithm = TsigAlgorithm::hmac_sha1;
  } else if (alg == "hmac-sha256") {
    key.algorithm = TsigAlgorithm::hmac_sha256;
  } else if (alg == "hmac-sha512") {
    key.algorithm = TsigAlgorithm::hmac_sha512;
  } else {
    return bad("algorithm '" + alg + "' is not one of hmac-sha1, hmac-sha256, hmac-sha512");
  }
  std::string b64(spec.substr(second + 1));
  if (b64.empty() || b64.size() % 4 != 0) return bad("the secret is not base64");
  std::vector<std::uint8_t> out(b64.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return bad("the secret is not base64");
  std::size_t pad = static_cast<std::size_t>(std::count(b64.end() - 2, b64.end(), '='));
  out.resize(static_cast<std::size_t>(n) - pad);
  if (out.empty()) return bad("the secret is empty");
  key.secret = std::move(out);
  return key;
}

Expected<std::optional<TsigRecord>, std::string> find_tsig(std::span<const std::uint8_t> message) {
  if (message.size() < kHeaderSize) return Unexpected(std::string("shorter than a header"));
  Header h = decode_header(message);
  WireReader r(message, kHeaderSize);
  for (std::uint16_t i = 0; i < h.qdcount; ++i) {
    if (!r.skip_name() || !r.u16() || !r.u16()) return Unexpected(std::string("malformed question"));
  }
  const std::size_t records = std::size_t{h.ancount} + h.nscount + h.arcount;
  for (std::size_t i = 0; i < records; ++i) {
    const std::size_t start = r.position();
    Name owner;
    if (!r.name(owner)) return Unexpected(std::string("malformed record owner"));
    auto type = r.u16();
    auto klass = type ? r.u16() : Result<std::uint16_t>(Unexpected(type.error()));
    auto ttl = klass ? r.u32() : Result<std::uint32_t>(Unexpected(klass.error()));
    auto len = ttl ? r.u16() : Result<std::uint16_t>(Unexpected(ttl.error()));
    if (!len) return Unexpected(std::string("truncated record"));
    const std::size_t rdata_at = r.position();
    if (!r.bytes(*len)) return Unexpected(std::string("record RDATA runs past the message"));
    if (*type != kTsigType) continue;
    // §5.1: the TSIG is the last record of the additional section.
    if (i + 1 != records || h.arcount == 0) return Unexpected(std::string("TSIG is not the last record"));
    WireReader t(message.first(rdata_at + *len), rdata_at);
    TsigRecord out;
    out.offset = start;
    out.key_name = owner;
    if (!t.name(out.algorithm, false)) return Unexpected(std::string("malformed TSIG algorithm"));
    auto hi = t.u16();
    auto lo = hi ? t.u32() : Result<std::uint32_t>(Unexpected(hi.error()));
    auto fudge = lo ? t.u16() : Result<std::uint16_t>(Unexpected(lo.error()));
    auto mac_size = fudge ? t.u16() : Result<std::uint16_t>(Unexpected(fudge.error()));
    if (!mac_size) return Unexpected(std::string("truncated TSIG"));
    auto mac = t.bytes(*mac_size);
    auto oid = mac ? t.u16() : Result<std::uint16_t>(Unexpected(mac.error()));
    auto err = oid ? t.u16() : Result<std::uint16_t>(Unexpected(oid.error()));
    auto olen = err ? t.u16() : Result<std::uint16_t>(Unexpected(err.error()));
    if (!olen) return Unexpected(std::string("truncated TSIG"));
    auto other = t.bytes(*olen);
    if (!other || !t.at_end()) return Unexpected(std::string("malformed TSIG RDATA"));
    out.time_signed = std::uint64_t{*hi} << 32 | *lo;
    out.fudge = *fudge;
    out.mac = *mac;
    out.original_id = *oid;
    out.error = *err;
    out.other = *other;
    return std::optional<TsigRecord>(out);
  }
  return std::optional<TsigRecord>();
}

TsigCheck verify_request(std::span<const std::uint8_t> message, const TsigRecord& tsig,
                         std::span<const TsigKey> keys, std::uint64_t now) {
  TsigCheck c;
  c.time_signed = tsig.time_signed;
  auto alg = algorithm_from(tsig.algorithm);
  for (const auto& k : keys) {
    if (k.name.view() == tsig.key_name.view() && alg && k.algorithm == *alg) c.key = &k;
  }
  if (!c.key) {
    c.error = TsigError::badkey;
    return c;
  }
  const std::uint16_t arcount = static_cast<std::uint16_t>((message[10] << 8 | message[11]) - 1);
  auto input = digest_input({}, false, message.first(tsig.offset), tsig.original_id, arcount);
  put_variables(input, tsig.key_name, tsig.algorithm, tsig.time_signed, tsig.fudge, tsig.error, tsig.other,
                false);
  auto mac = hmac(*c.key, input);
  if (tsig.mac.size() != mac.size()) {
    // A truncated MAC (RFC 8945 §5.2.2.1) is not accepted here: BADTRUNC if its prefix is right.
    const bool prefix = !tsig.mac.empty() && tsig.mac.size() < mac.size() &&
                        CRYPTO_memcmp(tsig.mac.data(), mac.data(), tsig.mac.size()) == 0;
    c.error = prefix ? TsigError::badtrunc : TsigError::badsig;
    return c;
  }
  if (CRYPTO_memcmp(tsig.mac.data(), mac.data(), mac.size()) != 0) {
    c.error = TsigError::badsig;
    return c;
  }
  c.request_mac.assign(tsig.mac.begin(), tsig.mac.end());
  const std::uint64_t skew = now > tsig.time_signed ? now - tsig.time_signed : tsig.time_signed - now;
  if (skew > tsig.fudge) c.error = TsigError::badtime;  // §5.2.3, checked after the MAC
  return c;
}

std::optional<std::size_t> TsigSigner::sign(std::span<std::uint8_t> buf, std::size_t size, std::uint64_t now,
                                            TsigError error, bool unsigned_reply) {
  if (size < kHeaderSize) return std::nullopt;
  const std::uint16_t id = static_cast<std::uint16_t>(buf[0] << 8 | buf[1]);
  const std::uint16_t arcount = static_cast<std::uint16_t>(buf[10] << 8 | buf[11]);
  const Name alg = algorithm_name(key_->algorithm);
  std::array<std::uint8_t, 6> server_time = time48(now);
  std::span<const std::uint8_t> other;
  if (error == TsigError::badtime) other = server_time;  // §5.2.3
  std::vector<std::uint8_t> mac;
  if (!unsigned_reply) {
    // The first message of an answer (or a request) signs all variables; later ones the timers (§4.3.2).
    const bool timers_only = !first_;
    auto input =
        digest_input(prior_mac_, !prior_mac_.empty() || !first_, std::span(buf).first(size), id, arcount);
    put_variables(input, key_->name, alg, now, kDefaultFudge, static_cast<std::uint16_t>(error), other,
                  timers_only);
    mac = hmac(*key_, input);
  }
  auto n = append_record(buf, size, key_->name, alg, now, kDefaultFudge, mac, id,
                         static_cast<std::uint16_t>(error), other);
  if (!n) return std::nullopt;
  prior_mac_ = std::move(mac);
  first_ = false;
  return n;
}

Expected<std::vector<std::uint8_t>, std::string> verify_response(std::span<const std::uint8_t> message,
                                                                 const TsigKey& key,
                                                                 std::span<const std::uint8_t> prior_mac,
                                                                 bool first, std::uint64_t now) {
  auto found = find_tsig(message);
  if (!found) return Unexpected("malformed TSIG: " + found.error());
  if (!*found) return Unexpected(std::string("the answer is not signed"));
  const TsigRecord& t = **found;
  if (!(t.key_name.view() == key.name.view()) || algorithm_from(t.algorithm) != key.algorithm)
    return Unexpected(std::string("the answer is signed with another key"));
  if (t.error != 0)
    return Unexpected(std::string("the server answered TSIG error ") +
                      to_string(static_cast<TsigError>(t.error)));
  const std::uint16_t arcount = static_cast<std::uint16_t>((message[10] << 8 | message[11]) - 1);
  auto input = digest_input(prior_mac, true, message.first(t.offset), t.original_id, arcount);
  put_variables(input, t.key_name, t.algorithm, t.time_signed, t.fudge, t.error, t.other, !first);
  auto mac = hmac(key, input);
  if (t.mac.size() != mac.size() || CRYPTO_memcmp(t.mac.data(), mac.data(), mac.size()) != 0)
    return Unexpected(std::string("the answer's TSIG does not verify (BADSIG)"));
  const std::uint64_t skew = now > t.time_signed ? now - t.time_signed : t.time_signed - now;
  if (skew > t.fudge) return Unexpected(std::string("the answer's TSIG time is outside its fudge (BADTIME)"));
  return mac;
}

std::optional<std::size_t> append_unsigned_tsig(std::span<std::uint8_t> buf, std::size_t size,
                                                const TsigRecord& request, TsigError error,
                                                std::uint64_t now) {
  if (size < kHeaderSize) return std::nullopt;
  const std::uint16_t id = static_cast<std::uint16_t>(buf[0] << 8 | buf[1]);
  (void)now;
  // §5.2.1/§5.2.2: the time signed and fudge of the request are echoed, the MAC is empty.
  return append_record(buf, size, request.key_name, request.algorithm, request.time_signed, request.fudge, {},
                       id, static_cast<std::uint16_t>(error), {});
}

const char* to_string(TsigError e) {
  switch (e) {
    case TsigError::none:
      return "NOERROR";
    case TsigError::badsig:
      return "BADSIG";
    case TsigError::badkey:
      return "BADKEY";
    case TsigError::badtime:
      return "BADTIME";
    case TsigError::badtrunc:
      return "BADTRUNC";
  }
  return "?";
}

}  // namespace endhost::dns
