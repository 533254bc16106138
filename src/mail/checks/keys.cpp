#include "mail/checks/keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/durable_file.hpp"
#include "mail/dkim/canonicalization.hpp"
#include "mail/dkim/signature.hpp"

namespace endhost::mail::checks {

namespace {

Expected<void, std::string> check_names(std::string_view domain, std::string_view selector) {
  if (!dkim::valid_domain_name(domain)) return Unexpected("not a domain name: " + std::string(domain));
  if (!dkim::valid_domain_name(selector) || selector.find('.') != std::string_view::npos)
    return Unexpected("a selector is one label (letters, digits, '-', '_'): " + std::string(selector));
  return {};
}

// Creates the directory 0700 (private keys live in it) and syncs its parent so that it survives a crash.
Expected<void, std::string> make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return {};
  if (!dir.parent_path().empty()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Unexpected("cannot create " + dir.string() + ": " + std::strerror(errno));
  const std::filesystem::path parent = dir.parent_path().empty() ? "." : dir.parent_path();
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  return {};
}

Expected<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::filesystem::path file_of(const std::filesystem::path& dir, const std::string& domain,
                              const std::string& selector, const char* ext) {
  return dir / (domain + "." + selector + ext);
}

}  // namespace

std::string DkimKey::zone_line() const {
  return dkim::zone_line(selector, domain, record_text());
}

Expected<dkim::KeyType, std::string> parse_key_algorithm(std::string_view text) {
  if (text == "ed25519") return dkim::KeyType::Ed25519;
  if (text == "rsa") return dkim::KeyType::Rsa;
  return Unexpected("unknown DKIM algorithm " + std::string(text) + " (rsa or ed25519)");
}

Expected<DkimKey, std::string> load_key(const std::filesystem::path& dkim_dir, std::string_view domain_in,
                                        std::string_view selector) {
  if (auto ok = check_names(domain_in, selector); !ok) return Unexpected(ok.error());
  DkimKey k;
  k.domain = dkim::ascii_lower(domain_in);
  k.selector = std::string(selector);
  k.key_file = file_of(dkim_dir, k.domain, k.selector, ".key");
  k.txt_file = file_of(dkim_dir, k.domain, k.selector, ".txt");
  auto pem = read_file(k.key_file);
  if (!pem) return Unexpected(pem.error());
  auto key = dkim::PrivateKey::from_pem(*pem);
  if (!key) return Unexpected(k.key_file.string() + ": " + key.error());
  k.key = std::move(*key);
  return k;
}

Expected<DkimKey, std::string> ensure_key(const std::filesystem::path& dkim_dir, std::string_view domain_in,
                                          std::string_view selector, dkim::KeyType algorithm) {
  if (auto ok = check_names(domain_in, selector); !ok) return Unexpected(ok.error());
  if (auto ok = make_private_dir(dkim_dir); !ok) return Unexpected(ok.error());
  const std::string domain = dkim::ascii_lower(domain_in);
  const std::filesystem::path key_file = file_of(dkim_dir, domain, std::string(selector), ".key");
  bool created = false;
  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec)) {
    auto fresh = dkim::PrivateKey::generate(algorithm);
    if (!fresh) return Unexpected(fresh.error());
    core::DurableFileOptions options;
    options.mode = 0600;  // the temporary is never more readable than the key
    auto writer = core::DurableFileWriter::create(key_file.string(), options);
    if (!writer) return Unexpected(writer.error().message);
    if (auto w = writer->write(fresh->to_pem()); !w) return Unexpected(w.error().message);
    auto committed = writer->commit(core::DurableFileWriter::Publish::keep_existing);
    if (!committed && committed.error().code != EEXIST) return Unexpected(committed.error().message);
    created = committed.has_value();  // EEXIST: another process made it first; its key is read below
  }
  auto k = load_key(dkim_dir, domain, selector);
  if (!k) return Unexpected(k.error());
  k->created = created;
  // The .txt is derived from the key, so it is rewritten whenever it is missing or differs (a crash between
  // the two files, or a key put there by hand).
  const std::string text = k->record_text() + "\n";
  auto existing = read_file(k->txt_file);
  if (!existing || *existing != text) {
    auto written = core::write_file_durably(k->txt_file.string(), text, std::nullopt, 0644);
    if (!written) return Unexpected(written.error());
  }
  return k;
}

}  // namespace endhost::mail::checks
