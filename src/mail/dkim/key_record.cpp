#include "mail/dkim/key_record.hpp"

#include "mail/dkim/base64.hpp"
#include "mail/dkim/tag_list.hpp"

namespace endhost::mail::dkim {

namespace {

// Colon-separated lists (h=, s=, t=) with white space around the items.
std::vector<std::string> colon_list(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text) {
    if (c == ':') {
      out.push_back(item);
      item.clear();
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      item += c;
    }
  }
  out.push_back(item);
  return out;
}

}  // namespace

std::string_view key_type_name(KeyType k) {
  return k == KeyType::Rsa ? "rsa" : "ed25519";
}

Expected<KeyRecord, std::string> parse_key_record(std::string_view text) {
  auto parsed = parse_tag_list(text);
  if (!parsed) return Unexpected("key record: " + parsed.error());
  const std::vector<Tag>& tags = *parsed;
  KeyRecord rec;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (tags[i].name != "v") continue;
    // §3.6.1 v=: "If specified, this tag MUST be set to "DKIM1" … and MUST be the first tag in the record."
    if (i != 0) return Unexpected(std::string("key record: v= is not the first tag"));
    if (tags[i].value != "DKIM1") return Unexpected("key record: v=" + std::string(tags[i].value));
  }
  if (auto k = find_tag(tags, "k")) {
    if (*k == "rsa") {
      rec.type = KeyType::Rsa;
    } else if (*k == "ed25519") {
      rec.type = KeyType::Ed25519;
    } else {
      return Unexpected("key record: unknown key type k=" + std::string(*k));
    }
  }
  if (auto h = find_tag(tags, "h")) rec.hashes = colon_list(*h);
  if (auto s = find_tag(tags, "s")) {
    rec.email_service = false;
    for (const std::string& service : colon_list(*s))
      if (service == "email" || service == "*") rec.email_service = true;
  }
  if (auto t = find_tag(tags, "t")) {
    for (const std::string& flag : colon_list(*t)) {
      if (flag == "y") rec.testing = true;
      if (flag == "s") rec.strict_identity = true;
    }
  }
  auto p = find_tag(tags, "p");
  if (!p) return Unexpected(std::string("key record: no p= tag"));
  auto key = base64_decode(strip_fws(*p));
  if (!key) return Unexpected(std::string("key record: p= is not base64"));
  rec.public_key = std::move(*key);
  return rec;
}

std::string format_key_record(KeyType type, std::string_view public_key) {
  return "v=DKIM1; k=" + std::string(key_type_name(type)) + "; p=" + base64_encode(public_key);
}

std::string key_name(std::string_view selector, std::string_view domain) {
  return std::string(selector) + "._domainkey." + std::string(domain);
}

std::string zone_line(std::string_view selector, std::string_view domain, std::string_view record_text) {
  std::string line = key_name(selector, domain) + ". IN TXT (";
  // The record text is base64, letters and "=; " only: no character needs a master-file escape, but '"' and
  // '\' are escaped anyway so that a caller's text can never break the line.
  constexpr std::size_t kChunk = 255;
  std::size_t i = 0;
  do {
    const std::string_view part = record_text.substr(i, kChunk);
    line += " \"";
    for (char c : part) {
      if (c == '"' || c == '\\') line += '\\';
      line += c;
    }
    line += '"';
    i += kChunk;
  } while (i < record_text.size());
  line += " )";
  return line;
}

}  // namespace endhost::mail::dkim
