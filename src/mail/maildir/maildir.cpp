#include "mail/maildir/maildir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/durable_file.hpp"

namespace endhost::mail::maildir {

std::string safe_hostname(std::string_view hostname) {
  std::string out;
  out.reserve(hostname.size());
  for (const char c : hostname) {
    if (c == '/') {
      out += "\\057";
    } else if (c == ':') {
      out += "\\072";
    } else if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      out += '_';  // a name with blanks or control bytes would only confuse shell users of the Maildir
    } else {
      out += c;
    }
  }
  if (out.empty()) out = "localhost";
  return out;
}

std::string message_name(std::chrono::system_clock::time_point when, long pid, std::uint64_t counter,
                         std::string_view safe_host, std::uint64_t size) {
  return message_name(when, pid, std::string_view(std::to_string(counter)), safe_host, size);
}

std::string message_name(std::chrono::system_clock::time_point when, long pid, std::string_view counter,
                         std::string_view safe_host, std::uint64_t size) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  const long long secs = micros / 1'000'000;
  const long long frac = micros % 1'000'000;
  std::string name = std::to_string(secs);
  name += ".M";
  name += std::to_string(frac);
  name += 'P';
  name += std::to_string(pid);
  name += 'Q';
  name += counter;
  name += '.';
  name += safe_host;
  name += ",S=";
  name += std::to_string(size);
  return name;
}

Expected<void, std::string> ensure(const std::filesystem::path& maildir) {
  for (const std::filesystem::path& dir : {maildir, maildir / "tmp", maildir / "new", maildir / "cur"}) {
    if (::mkdir(dir.c_str(), 0700) == 0) continue;
    const int e = errno;
    struct stat st {};
    if (e == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    if (e == ENOENT && dir == maildir) {
      std::error_code ec;
      std::filesystem::create_directories(maildir, ec);
      if (!ec) {
        ::chmod(maildir.c_str(), 0700);
        continue;
      }
    }
    return Unexpected("cannot make the Maildir directory " + dir.string() + ": " +
                      std::strerror(e == EEXIST ? ENOTDIR : e));
  }
  return {};
}

namespace {

std::string machine_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

DeliveryError failed(const core::DurableFileError& e) {
  return DeliveryError{e.code, e.code == ENOSPC || e.code == EDQUOT, e.message};
}

}  // namespace

Writer::Writer(std::string hostname)
    : host_(safe_hostname(hostname.empty() ? machine_name() : hostname)),
      pid_(static_cast<long>(::getpid())) {}

Expected<std::filesystem::path, DeliveryError> Writer::deliver(const std::filesystem::path& maildir,
                                                               std::span<const std::string_view> parts) {
  return deliver(maildir, parts, std::chrono::system_clock::now());
}

Expected<std::filesystem::path, DeliveryError> Writer::deliver(const std::filesystem::path& maildir,
                                                               std::span<const std::string_view> parts,
                                                               std::chrono::system_clock::time_point when) {
  std::uint64_t size = 0;
  for (const auto p : parts) size += p.size();
  return write(maildir, parts,
               message_name(when, pid_, counter_.fetch_add(1, std::memory_order_relaxed), host_, size));
}

Expected<std::filesystem::path, DeliveryError> Writer::deliver_tagged(const std::filesystem::path& maildir,
                                                                      std::span<const std::string_view> parts,
                                                                      std::string_view tag) {
  std::uint64_t size = 0;
  for (const auto p : parts) size += p.size();
  return write(maildir, parts, message_name(std::chrono::system_clock::now(), pid_, tag, host_, size));
}

Expected<std::filesystem::path, DeliveryError> Writer::write(const std::filesystem::path& maildir,
                                                             std::span<const std::string_view> parts,
                                                             const std::string& name) {
  core::DurableFileOptions options;
  options.mode = 0600;  // mail is private to its user (Dovecot's and Postfix's default)
  options.sync = core::DurableSync::full;
  options.temp_dir = (maildir / "tmp").string();
  options.temp_name = name;  // maildir(5): tmp/NAME, then link or rename to new/NAME
  const std::filesystem::path target = maildir / "new" / name;
  auto made = core::DurableFileWriter::create(target.string(), options);
  if (!made) return Unexpected(failed(made.error()));
  core::DurableFileWriter writer = std::move(*made);
  for (const auto p : parts) {
    if (p.empty()) continue;
    if (auto ok = writer.write(p); !ok) return Unexpected(failed(ok.error()));  // the writer removes tmp/NAME
  }
  // A name is never reused (pid, counter, microseconds), so an existing new/NAME is someone else's message:
  // never replaced.
  if (auto ok = writer.commit(core::DurableFileWriter::Publish::keep_existing); !ok)
    return Unexpected(failed(ok.error()));
  return target;
}

}  // namespace endhost::mail::maildir
