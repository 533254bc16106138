#include "mail/checks/signer.hpp"

#include <algorithm>

#include "mail/dkim/canonicalization.hpp"
#include "mail/dkim/dkim.hpp"

namespace endhost::mail::checks {

Expected<std::shared_ptr<Signer>, std::string> Signer::load(const std::filesystem::path& dkim_dir,
                                                            std::string_view preferred_selector) {
  auto signer = std::make_shared<Signer>();
  std::error_code ec;
  if (!std::filesystem::is_directory(dkim_dir, ec)) return signer;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dkim_dir, ec))
    if (entry.path().extension() == ".key") files.push_back(entry.path());
  if (ec) return Unexpected("cannot list " + dkim_dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    // <domain>.<selector>.key: the selector is one label (keys.hpp), so the last dot splits them.
    const std::string stem = file.stem().string();
    const std::size_t dot = stem.rfind('.');
    if (dot == std::string::npos || stem.front() == '.') continue;  // not ours (or a temporary)
    const std::string domain = stem.substr(0, dot), selector = stem.substr(dot + 1);
    auto key = load_key(dkim_dir, domain, selector);
    if (!key) return Unexpected(key.error());
    auto it = signer->keys_.find(key->domain);
    if (it == signer->keys_.end()) {
      signer->keys_.emplace(key->domain, std::move(*key));
    } else if (key->selector == preferred_selector && it->second.selector != preferred_selector) {
      it->second = std::move(*key);
    }
  }
  return signer;
}

std::shared_ptr<Signer> Signer::with_keys(std::vector<DkimKey> keys) {
  auto signer = std::make_shared<Signer>();
  for (DkimKey& k : keys) {
    std::string domain = dkim::ascii_lower(k.domain);
    signer->keys_.insert_or_assign(std::move(domain), std::move(k));
  }
  return signer;
}

bool Signer::has_key(std::string_view domain) const {
  return keys_.count(dkim::ascii_lower(domain)) > 0;
}

std::vector<std::string> Signer::domains() const {
  std::vector<std::string> out;
  for (const auto& [domain, key] : keys_) out.push_back(domain);
  return out;
}

std::string Signer::signature_header(std::string_view message, std::string_view domain,
                                     core::WallTime now) const {
  auto it = keys_.find(dkim::ascii_lower(domain));
  if (it == keys_.end()) return {};
  dkim::SignOptions o;
  o.domain = it->second.domain;
  o.selector = it->second.selector;
  o.timestamp = now.time_since_epoch().count();
  auto field = dkim::sign_message(message, it->second.key, o);
  return field ? std::move(*field) : std::string();
}

std::optional<std::string> from_domain(std::string_view message) {
  auto split = dkim::split_message(message);
  if (!split) return std::nullopt;
  for (const dkim::HeaderField& f : split->headers) {
    if (!dkim::iequals(f.name, "from")) continue;
    std::string_view v = f.value;
    // The address is inside <…> when there is a display name; otherwise the value is the address.
    const std::size_t lt = v.find('<');
    if (lt != std::string_view::npos) {
      const std::size_t gt = v.find('>', lt);
      v = v.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
    }
    const std::size_t at = v.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view d = v.substr(at + 1);
    const std::size_t end = d.find_first_of(" \t\r\n>,;()");
    d = d.substr(0, end);
    if (d.empty()) return std::nullopt;
    return dkim::ascii_lower(d);
  }
  return std::nullopt;
}

}  // namespace endhost::mail::checks
