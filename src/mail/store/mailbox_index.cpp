// Mailbox::Impl's files beside the Maildir: the index endhost-uidlist (append, rewrite, compaction) and
// the keyword names endhost-keywords (mailbox_impl.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "mail/store/mailbox_impl.hpp"

namespace endhost::mail::store {

using namespace detail;  // the helpers of mailbox_impl.hpp and disk.hpp
using Kind = StoreError::Kind;

Expected<void, StoreError> Mailbox::Impl::open_index_fd() {
  if (index_fd >= 0) ::close(index_fd);
  // Not O_APPEND: records go at index_bytes and the header's record count is rewritten in place (pwrite on
  // an O_APPEND descriptor appends on Linux). Only this process writes the index, under `mutex`.
  index_fd = ::open(index_path.c_str(), O_WRONLY | O_CLOEXEC);
  if (index_fd < 0) return Unexpected(io_error(errno, "cannot open the index", index_path));
  return {};
}

Expected<void, StoreError> Mailbox::Impl::write_index() {
  std::string text = format_uid_list_header(uidvalidity, uidnext, entries.size());
  const std::size_t header_bytes = text.size();
  text.reserve(text.size() + entries.size() * 80);
  for (const Entry& e : entries) append_uid_record(text, e.uid, e.vsize, e.mtime, e.base());
  if (auto ok = detail::write_durably(index_path, text); !ok) return ok;
  if (auto ok = open_index_fd(); !ok) return ok;
  index_records = entries.size();
  index_bytes = text.size();
  index_header_bytes = header_bytes;
  return {};
}

namespace {

// pwrite until done; 0 or the errno.
int write_at(int fd, std::string_view data, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace

Expected<void, StoreError> Mailbox::Impl::write_record_count(std::size_t records) {
  if (index_header_bytes < 1 + kRecordCountDigits)
    return Unexpected(error(Kind::Io, "the index " + index_path + " has no record count"));
  const int err =
      write_at(index_fd, format_record_count(records), index_header_bytes - 1 - kRecordCountDigits);
  if (err != 0) return Unexpected(io_error(err, "cannot update the index's record count", index_path));
  return {};
}

Expected<void, StoreError> Mailbox::Impl::compact_if_needed() {
  const std::size_t dead = index_records - std::min(index_records, entries.size());
  if (dead <= entries.size() || dead < kCompactMinDead) return {};
  return write_index();
}

Expected<void, StoreError> Mailbox::Impl::append_records(const std::string& lines, std::size_t count) {
  if (index_fd < 0) return Unexpected(error(Kind::Io, "the index " + index_path + " is not open"));
  // The records, then the header's count, then one fdatasync for both. Whatever order they reach the disk
  // in, a crash before the sync leaves either extra records (kept: their count was not yet written) or a
  // count larger than the records (the load rebuilds with a new UIDVALIDITY: safe, as those UIDs were
  // never acknowledged). After the sync, losing the tail is always seen.
  int err = write_at(index_fd, lines, index_bytes);
  bool counted = false;
  if (err == 0) {
    auto ok = write_record_count(index_records + count);
    if (!ok) err = ok.error().code != 0 ? ok.error().code : EIO;
    counted = static_cast<bool>(ok);
  }
  if (err == 0 && ::fdatasync(index_fd) != 0) err = errno;
  if (err != 0) {
    // Cut a partial record off, so the next append does not continue it (its UID was never given out),
    // and put the count back.
    if (::ftruncate(index_fd, static_cast<off_t>(index_bytes)) != 0) {
    }
    if (counted) (void)write_record_count(index_records);
    return Unexpected(io_error(err, "cannot append to the index", index_path));
  }
  index_bytes += lines.size();
  index_records += count;
  return {};
}

Expected<void, StoreError> Mailbox::Impl::load_keywords() {
  keywords.clear();
  auto text = detail::read_file(keywords_path, kMaxKeywordsFileBytes);
  if (!text) {
    if (text.error().code == ENOENT) return {};
    return Unexpected(text.error());
  }
  // "<index> <name>" lines as dovecot-keywords; anything but the dense prefix 0, 1, 2… is ignored.
  std::string_view rest = *text;
  while (!rest.empty() && keywords.size() < kMaxKeywords) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) break;  // torn: never acknowledged
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos || line.substr(0, sp) != std::to_string(keywords.size())) break;
    const std::string_view k = line.substr(sp + 1);
    if (!valid_keyword(k)) break;
    keywords.emplace_back(k);
  }
  return {};
}

Expected<void, StoreError> Mailbox::Impl::save_keywords() {
  std::string text;
  for (std::size_t i = 0; i < keywords.size(); ++i) {
    text += std::to_string(i);
    text += ' ';
    text += keywords[i];
    text += '\n';
  }
  return detail::write_durably(keywords_path, text);
}

Expected<std::uint32_t, StoreError> Mailbox::Impl::keyword_bits(std::span<const std::string> names,
                                                                bool create) {
  std::uint32_t bits = 0;
  const std::size_t before = keywords.size();
  for (const std::string& n : names) {
    if (!valid_keyword(n)) {
      if (!create) continue;
      keywords.resize(before);
      return Unexpected(error(Kind::Invalid, "invalid keyword"));
    }
    std::size_t i = 0;
    while (i < keywords.size() && !iequals_ascii(keywords[i], n)) ++i;
    if (i == keywords.size()) {
      if (!create) continue;
      if (keywords.size() >= kMaxKeywords) {
        keywords.resize(before);
        return Unexpected(error(Kind::TooManyKeywords, "the mailbox " + name + " has " +
                                                           std::to_string(kMaxKeywords) + " keywords"));
      }
      keywords.push_back(n);
    }
    bits |= 1u << i;
  }
  if (keywords.size() != before) {
    if (auto ok = save_keywords(); !ok) {
      keywords.resize(before);
      return Unexpected(ok.error());
    }
  }
  return bits;
}

}  // namespace endhost::mail::store
