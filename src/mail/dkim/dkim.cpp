#include "mail/dkim/dkim.hpp"

#include "mail/dkim/base64.hpp"
#include "mail/dkim/key_record.hpp"

namespace endhost::mail::dkim {

namespace {

constexpr std::size_t kFoldColumn = 78;  // RFC 5322 §2.1.1

// Appends "tag; " items to lines folded at kFoldColumn with CRLF TAB.
class Folder {
 public:
  explicit Folder(std::string start) : out_(std::move(start)), column_(out_.size()) {}
  void add(std::string_view item) {
    if (column_ + 1 + item.size() > kFoldColumn) {
      out_ += "\r\n\t";
      column_ = 1;
    } else {
      out_ += ' ';
      ++column_;
    }
    out_ += item;
    column_ += item.size();
  }
  std::string& text() { return out_; }
  std::size_t column() const { return column_; }
  void newline() {
    out_ += "\r\n\t";
    column_ = 1;
  }
  void raw(std::string_view s) {
    out_ += s;
    column_ += s.size();
  }

 private:
  std::string out_;
  std::size_t column_;
};

Verdict base_verdict(const Signature& s) {
  Verdict v;
  v.domain = s.domain;
  v.selector = s.selector;
  v.identity = s.identity;
  v.b_text = s.b_text;
  v.algorithm = s.algorithm;
  return v;
}

Verdict with(Verdict v, Status status, std::string reason) {
  v.status = status;
  v.reason = std::move(reason);
  return v;
}

std::string_view domain_of_identity(std::string_view identity) {
  const std::size_t at = identity.rfind('@');
  return at == std::string_view::npos ? identity : identity.substr(at + 1);
}

}  // namespace

std::string_view status_name(Status s) {
  switch (s) {
    case Status::Pass:
      return "pass";
    case Status::Fail:
      return "fail";
    case Status::Neutral:
      return "neutral";
    case Status::Policy:
      return "policy";
    case Status::TempError:
      return "temperror";
    case Status::PermError:
      return "permerror";
  }
  return "permerror";
}

std::vector<std::string> default_signed_headers(const SplitMessage& message) {
  static constexpr std::string_view kWorthSigning[] = {
      "From",     "To",          "Cc",         "Subject",      "Date",         "Message-ID",
      "Reply-To", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
  std::vector<std::string> out;
  for (std::string_view name : kWorthSigning) {
    for (const HeaderField& f : message.headers)
      if (iequals(f.name, name)) out.emplace_back(ascii_lower(name));
  }
  out.emplace_back("from");  // over-signing (§8.15)
  return out;
}

std::string header_hash_input(const SplitMessage& message, Canon canon, const std::vector<std::string>& names,
                              std::string_view signature_field) {
  std::string out;
  // §5.4.2: several instances of a name are signed from the bottom up; each h= entry takes the last
  // instance not used by an earlier entry, and an entry with none left adds nothing.
  std::vector<bool> used(message.headers.size(), false);
  for (const std::string& name : names) {
    for (std::size_t k = message.headers.size(); k-- > 0;) {
      if (used[k] || !iequals(message.headers[k].name, name)) continue;
      used[k] = true;
      out += canonicalize_header(canon, message.headers[k]);
      break;
    }
  }
  std::string sig = canonicalize_header(canon, without_b_value(signature_field));
  // §3.7: the signature field is hashed "without a trailing CRLF".
  if (sig.size() >= 2 && sig.compare(sig.size() - 2, 2, "\r\n") == 0) sig.resize(sig.size() - 2);
  out += sig;
  return out;
}

Expected<std::string, std::string> sign_message(std::string_view message_in, const PrivateKey& key,
                                                const SignOptions& o) {
  const std::string message = normalize_line_ends(message_in);
  auto split = split_message(message);
  if (!split) return Unexpected(split.error());
  bool has_from = false;
  for (const HeaderField& f : split->headers)
    if (iequals(f.name, "from")) has_from = true;
  if (!has_from) return Unexpected(std::string("the message has no From field to sign"));
  if (!valid_domain_name(o.domain)) return Unexpected("not a domain name: " + o.domain);
  if (!valid_domain_name(o.selector)) return Unexpected("not a selector: " + o.selector);
  const std::vector<std::string> names = o.headers.empty() ? default_signed_headers(*split) : o.headers;

  const std::string body_hash = sha256(canonicalize_body(o.body_canon, split->body));
  const auto canon_name = [](Canon c) { return c == Canon::Relaxed ? "relaxed" : "simple"; };
  const std::string algorithm = key.type() == KeyType::Rsa ? "rsa-sha256" : "ed25519-sha256";

  Folder f("DKIM-Signature:");
  f.add("v=1;");
  f.add("a=" + algorithm + ";");
  f.add(std::string("c=") + canon_name(o.header_canon) + "/" + canon_name(o.body_canon) + ";");
  f.add("d=" + o.domain + ";");
  f.add("s=" + o.selector + ";");
  if (o.timestamp > 0) f.add("t=" + std::to_string(o.timestamp) + ";");
  if (o.expiration) f.add("x=" + std::to_string(*o.expiration) + ";");
  // h= is folded between names, where the colon list allows FWS.
  if (f.column() + 3 + names.front().size() + 1 > kFoldColumn) {
    f.newline();
  } else {
    f.raw(" ");
  }
  f.raw("h=");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string item = names[i] + (i + 1 < names.size() ? ":" : ";");
    if (i > 0 && f.column() + item.size() > kFoldColumn) f.newline();
    f.raw(item);
  }
  f.add("bh=" + base64_encode(body_hash) + ";");
  // b= goes last and its value follows "b=" with no white space: the field hashed with b= emptied is then
  // the field as written minus exactly the base64, however a verifier trims it (§3.7).
  f.add("b=");
  std::string field = f.text();
  const std::string input = header_hash_input(*split, o.header_canon, names, field + "\r\n");
  auto signature = key.sign(input);
  if (!signature) return Unexpected(signature.error());
  const std::string b = base64_encode(*signature);
  std::size_t column = f.column();
  for (std::size_t i = 0; i < b.size();) {
    const std::size_t room = column >= kFoldColumn ? 0 : kFoldColumn - column;
    if (room == 0) {
      field += "\r\n\t";
      column = 1;
      continue;
    }
    const std::size_t n = std::min(room, b.size() - i);
    field.append(b, i, n);
    column += n;
    i += n;
  }
  field += "\r\n";
  return field;
}

Expected<Verification, std::string> Verification::start(std::string_view message) {
  Verification v;
  v.message_ = std::make_shared<const std::string>(normalize_line_ends(message));
  auto split = split_message(*v.message_);
  if (!split) return Unexpected(split.error());
  v.split_ = std::move(*split);
  for (std::size_t k = 0; k < v.split_.headers.size() && v.fields_.size() < kMaxSignatures; ++k) {
    const HeaderField& h = v.split_.headers[k];
    if (!iequals(h.name, "dkim-signature")) continue;
    v.fields_.push_back(Field{k, parse_signature(h.value)});
  }
  return v;
}

std::optional<std::string> Verification::key_query(std::size_t i) const {
  const Field& f = fields_.at(i);
  if (!f.parsed) return std::nullopt;
  if (f.parsed->body_length || f.parsed->algorithm == Algorithm::RsaSha1) return std::nullopt;
  return key_name(f.parsed->selector, f.parsed->domain);
}

Verdict Verification::finish(std::size_t i, KeyLookup lookup, const std::vector<std::string>& records,
                             std::int64_t now) const {
  const Field& f = fields_.at(i);
  if (!f.parsed) return with(Verdict{}, Status::PermError, f.parsed.error());
  const Signature& sig = *f.parsed;
  const Verdict base = base_verdict(sig);
  // l= lets anyone append to a signed body (§8.2); this verifier does not accept such signatures.
  if (sig.body_length) return with(base, Status::Policy, "l= (body length) signatures are not accepted");
  if (sig.algorithm == Algorithm::RsaSha1)
    return with(base, Status::PermError, "rsa-sha1 is not accepted (RFC 8301)");
  // §6.1.1: an expired signature is a PERMFAIL.
  if (sig.expiration && *sig.expiration < now) return with(base, Status::PermError, "signature expired");

  // §6.1.2: the key.
  if (lookup == KeyLookup::TempFail) return with(base, Status::TempError, "key lookup failed");
  if (lookup == KeyLookup::NotFound || records.empty())
    return with(base, Status::PermError, "no key for signature");
  const KeyType wanted = sig.algorithm == Algorithm::Ed25519Sha256 ? KeyType::Ed25519 : KeyType::Rsa;
  std::optional<KeyRecord> key;
  std::string key_error;
  // "If the query for the public key returns multiple key records, the Verifier can choose one of the key
  // records or may cycle through the key records" (§6.1.2 step 4): the first usable one is taken.
  for (const std::string& text : records) {
    auto parsed = parse_key_record(text);
    if (!parsed) {
      key_error = parsed.error();
      continue;
    }
    if (parsed->type != wanted) {
      key_error = "key record: k=" + std::string(key_type_name(parsed->type)) +
                  " does not fit a=" + std::string(algorithm_name(sig.algorithm));
      continue;
    }
    key = std::move(*parsed);
    break;
  }
  if (!key) return with(base, Status::PermError, key_error);
  if (key->public_key.empty()) return with(base, Status::PermError, "key revoked");
  if (!key->hashes.empty()) {
    bool sha256_ok = false;
    for (const std::string& h : key->hashes)
      if (h == "sha256") sha256_ok = true;
    if (!sha256_ok) return with(base, Status::PermError, "key record: h= does not allow sha256");
  }
  if (!key->email_service) return with(base, Status::PermError, "key record: s= is not email");
  if (key->strict_identity && !iequals(domain_of_identity(sig.identity), sig.domain))
    return with(base, Status::PermError, "key record: t=s but i= is a subdomain of d=");

  // §6.1.3: the body hash, then the header hash and signature.
  const std::string body_hash = sha256(canonicalize_body(sig.body_canon, split_.body));
  if (body_hash != sig.body_hash) return with(base, Status::Fail, "body hash did not verify");
  const std::string input =
      header_hash_input(split_, sig.header_canon, sig.headers, split_.headers[f.header_index].raw);
  auto ok = verify_signature(key->type, key->public_key, input, sig.signature);
  if (!ok) return with(base, Status::PermError, ok.error());
  if (!*ok) return with(base, Status::Fail, "signature did not verify");
  return with(base, Status::Pass, "");
}

}  // namespace endhost::mail::dkim
