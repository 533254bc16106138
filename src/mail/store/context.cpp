#include "mail/store/context.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "mail/maildir/maildir.hpp"
#include "mail/store/disk.hpp"
#include "mail/store/mailbox.hpp"

namespace endhost::mail::store::detail {

namespace {

std::string machine_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

StoreContext::StoreContext(std::filesystem::path users_path, std::uint64_t max_size, std::string hostname)
    : users_dir(std::move(users_path)),
      max_message_size(max_size),
      host(maildir::safe_hostname(hostname.empty() ? machine_name() : hostname)),
      pid(static_cast<long>(::getpid())) {}

StoreContext::~StoreContext() = default;

void StoreContext::keep(std::shared_ptr<Mailbox> mailbox) {
  std::shared_ptr<Mailbox> dropped;  // released after the lock: a Mailbox's destructor takes its own
  {
    std::lock_guard lock(kept_mutex);
    auto it = std::find(kept.begin(), kept.end(), mailbox);
    if (it != kept.end()) kept.erase(it);
    kept.push_front(std::move(mailbox));
    if (kept.size() > kKeptMailboxes) {
      dropped = std::move(kept.back());
      kept.pop_back();
    }
  }
}

std::string StoreContext::unique_base(std::uint64_t size, std::uint64_t vsize) {
  std::string base = maildir::message_name(std::chrono::system_clock::now(), pid,
                                           counter.fetch_add(1, std::memory_order_relaxed), host, size);
  if (vsize != size) {
    base += ",W=";  // Dovecot's virtual size: what POP3 and RFC822.SIZE report, without reading the file
    base += std::to_string(vsize);
  }
  return base;
}

Expected<std::uint32_t, StoreError> UserContext::new_uidvalidity(std::uint32_t above) {
  std::lock_guard lock(uidvalidity_mutex);
  const std::string path = (root / "endhost-uidvalidity").string();
  std::uint64_t last = 0;
  if (auto text = read_file(path, 64)) {
    std::string_view digits = *text;
    while (!digits.empty() && (digits.back() == '\n' || digits.back() == ' ')) digits.remove_suffix(1);
    std::uint64_t n = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (r.ec == std::errc() && r.ptr == digits.data() + digits.size()) last = n;
  }
  std::uint64_t next =
      std::max<std::uint64_t>({static_cast<std::uint64_t>(std::max<std::int64_t>(now_seconds(), 1)), last + 1,
                               static_cast<std::uint64_t>(above) + 1});
  if (next > 0xffffffffu) next = 1;  // past 2106, or a damaged file: start over rather than fail every CREATE
  if (auto ok = write_durably(path, std::to_string(next) + "\n"); !ok) return Unexpected(ok.error());
  return static_cast<std::uint32_t>(next);
}

}  // namespace endhost::mail::store::detail
