#include "mail/store/mailbox.hpp"

#include <malloc.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/durable_file.hpp"
#include "mail/store/context.hpp"
#include "mail/store/mailbox_impl.hpp"

namespace endhost::mail::store {

using namespace detail;  // the helpers of mailbox_impl.hpp and disk.hpp
using Kind = StoreError::Kind;

Mailbox::Mailbox(Private, std::string name, std::filesystem::path dir,
                 std::shared_ptr<detail::UserContext> user, std::shared_ptr<const void> owner)
    : impl_(std::make_unique<Impl>(std::move(name), std::move(dir), std::move(user))) {
  impl_->owner = std::move(owner);
}

Mailbox::~Mailbox() = default;

const std::string& Mailbox::name() const {
  return impl_->name;
}
const std::filesystem::path& Mailbox::dir() const {
  return impl_->dir;
}

Expected<Mailbox::OpenReport, StoreError> Mailbox::load() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->loaded) return OpenReport{};
  auto report = impl_->load();
  // The open's temporaries (the index text and its records, the listing of cur/, the lookup tables: a few
  // times the entries' own size for a large folder) are freed by now, but glibc keeps the pages in the
  // pool thread's arena: given back, a 100,000-message folder leaves its entries and little else.
  if (impl_->entries.size() >= kTrimAfterEntries) ::malloc_trim(0);
  return report;
}

Expected<bool, StoreError> Mailbox::refresh() {
  Expected<bool, StoreError> changed = false;
  {
    std::lock_guard lock(impl_->mutex);
    if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
    changed = impl_->sync(false);
  }
  if (changed && *changed) impl_->notify();
  return changed;
}

Mailbox::Snapshot Mailbox::snapshot(bool names) const {
  std::lock_guard lock(impl_->mutex);
  Snapshot s;
  s.uidvalidity = impl_->uidvalidity;
  s.uidnext = impl_->uidnext;
  s.version = impl_->version;
  s.messages.reserve(impl_->entries.size());
  if (names) {
    for (const Entry& e : impl_->entries) s.messages.push_back(impl_->record_of(e));
  } else {
    for (const Entry& e : impl_->entries)
      s.messages.push_back(MessageRecord{e.uid, {}, e.vsize, e.mtime, e.flags});
  }
  return s;
}

std::uint64_t Mailbox::version() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->version;
}

std::optional<std::vector<Change>> Mailbox::changes_since(std::uint64_t version, std::uint64_t* now) const {
  std::lock_guard lock(impl_->mutex);
  if (now) *now = impl_->version;
  const std::uint64_t first = impl_->version - impl_->journal.size();  // the version before journal.front()
  if (version > impl_->version || version < first) return std::nullopt;
  return std::vector<Change>(impl_->journal.begin() + static_cast<std::ptrdiff_t>(version - first),
                             impl_->journal.end());
}

std::optional<MessageRecord> Mailbox::find(std::uint32_t uid) const {
  std::lock_guard lock(impl_->mutex);
  const Entry* e = impl_->find(uid);
  if (!e) return std::nullopt;
  return impl_->record_of(*e);
}

std::size_t Mailbox::count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->entries.size();
}

Expected<int, StoreError> Mailbox::open(std::uint32_t uid) {
  for (int attempt = 0;; ++attempt) {
    std::string path;
    {
      std::lock_guard lock(impl_->mutex);
      if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
      const Entry* e = impl_->find(uid);
      if (!e) return Unexpected(error(Kind::NoSuchMessage, "no message with UID " + std::to_string(uid)));
      path = impl_->cur_path(e->file);
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != ENOENT) return Unexpected(io_error(errno, "cannot open", path));
    if (attempt > 0)
      return Unexpected(
          error(Kind::NoSuchMessage, "the message with UID " + std::to_string(uid) + " is gone"));
    // Renamed or removed since we looked, by another session's rename racing ours or another program:
    // look at cur/ again whatever its mtime says.
    Expected<bool, StoreError> changed = false;
    {
      std::lock_guard lock(impl_->mutex);
      changed = impl_->sync(true);
    }
    if (!changed) return Unexpected(changed.error());
    if (*changed) impl_->notify();
  }
}

Expected<std::string, StoreError> Mailbox::read(std::uint32_t uid, std::uint64_t max_size) {
  auto fd = open(uid);
  if (!fd) return Unexpected(fd.error());
  struct stat st {};
  if (::fstat(*fd, &st) != 0) {
    const int err = errno;
    ::close(*fd);
    return Unexpected(io_error(err, "cannot stat the message", std::to_string(uid)));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    ::close(*fd);
    return Unexpected(error(Kind::TooBig, "the message with UID " + std::to_string(uid) + " has " +
                                              std::to_string(st.st_size) + " bytes, more than " +
                                              std::to_string(max_size)));
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(*fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(*fd);
      return Unexpected(io_error(err, "cannot read the message", std::to_string(uid)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(*fd);
  out.resize(got);
  return out;
}

Expected<std::vector<std::uint32_t>, StoreError> Mailbox::store_flags(std::span<const std::uint32_t> uids,
                                                                      FlagOp op, Flags flags) {
  std::vector<std::uint32_t> changed;
  Expected<void, StoreError> result;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return Unexpected(ok.error());
    flags.system &= kAllSystemFlags;
    flags.keywords &= keyword_mask(m.keywords.size());
    bool clean = m.cur_clean();
    std::vector<std::uint32_t> retry;
    auto apply = [&](std::span<const std::uint32_t> list, std::vector<std::uint32_t>* missed) -> bool {
      for (const std::uint32_t uid : list) {
        Entry* e = m.find(uid);
        if (!e) continue;
        Flags next = e->flags;
        if (op == FlagOp::Replace) next = flags;
        if (op == FlagOp::Add)
          next = Flags{static_cast<std::uint8_t>(next.system | flags.system), next.keywords | flags.keywords};
        if (op == FlagOp::Remove)
          next =
              Flags{static_cast<std::uint8_t>(next.system & ~flags.system), next.keywords & ~flags.keywords};
        if (next == e->flags) continue;
        std::string other;
        parse_info(split_file_name(e->file).info, m.keywords.size(), &other);
        std::string file = make_file_name(e->base(), next, other);
        const std::string from = m.cur_path(e->file);
        const std::string to = m.cur_path(file);
        if (::rename(from.c_str(), to.c_str()) != 0) {
          if (errno == ENOENT && missed) {
            missed->push_back(uid);
            continue;
          }
          if (errno == ENOENT) continue;
          result = Unexpected(io_error(errno, "cannot rename", from));
          return false;
        }
        e->file = std::move(file);
        e->flags = next;
        m.journal_add(Change::Kind::FlagsChanged, uid);
        changed.push_back(uid);
      }
      return true;
    };
    if (apply(uids, &retry) && !retry.empty()) {
      // Renamed behind our back (another program): look at cur/ again and try those once more.
      if (auto synced = m.sync(true); !synced) {
        result = Unexpected(synced.error());
      } else {
        clean = false;
        apply(retry, nullptr);
      }
    }
    if (!changed.empty()) {
      if (auto ok = detail::fsync_dir(m.cur); !ok && result) result = ok;
      m.own_change_done(clean);
    }
  }
  if (!changed.empty()) impl_->notify();
  if (!result) return Unexpected(result.error());
  return changed;
}

Expected<std::vector<std::uint32_t>, StoreError> Mailbox::expunge(std::span<const std::uint32_t> uids) {
  std::vector<std::uint32_t> wanted(uids.begin(), uids.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::uint32_t> removed;
  Expected<void, StoreError> result;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return Unexpected(ok.error());
    bool clean = m.cur_clean();
    // Unlinks the files of `list` (ascending), then drops their entries in one pass.
    auto apply = [&](const std::vector<std::uint32_t>& list, std::vector<std::uint32_t>* missed) {
      std::vector<std::uint32_t> done;
      for (const std::uint32_t uid : list) {
        const Entry* e = m.find(uid);
        if (!e) continue;
        const std::string path = m.cur_path(e->file);
        if (::unlink(path.c_str()) != 0) {
          if (errno == ENOENT && missed) {
            missed->push_back(uid);  // perhaps renamed by another program rather than removed
            continue;
          }
          if (errno != ENOENT) {
            result = Unexpected(io_error(errno, "cannot remove", path));
            break;
          }
        }
        done.push_back(uid);
      }
      std::erase_if(m.entries,
                    [&](const Entry& e) { return std::binary_search(done.begin(), done.end(), e.uid); });
      for (const std::uint32_t uid : done) m.journal_add(Change::Kind::Expunged, uid);
      removed.insert(removed.end(), done.begin(), done.end());
    };
    std::vector<std::uint32_t> retry;
    apply(wanted, &retry);
    if (result && !retry.empty()) {
      // What sync finds gone it expunges itself (and journals); what it finds renamed is removed now.
      if (auto synced = m.sync(true); !synced) {
        result = Unexpected(synced.error());
      } else {
        clean = false;
        std::vector<std::uint32_t> still;
        for (const std::uint32_t uid : retry) (m.find(uid) ? still : removed).push_back(uid);
        apply(still, nullptr);
      }
    }
    if (!removed.empty()) {
      if (auto ok = detail::fsync_dir(m.cur); !ok && result) result = ok;
      m.own_change_done(clean);
      if (auto ok = m.compact_if_needed(); !ok && result) result = ok;
    }
  }
  if (!removed.empty()) impl_->notify();
  if (!result) return Unexpected(result.error());
  return removed;
}

Expected<std::uint32_t, StoreError> Mailbox::append(std::string_view message, Flags flags,
                                                    std::optional<std::int64_t> internal_date) {
  const auto& store = *impl_->user->store;
  if (message.size() > store.max_message_size)
    return Unexpected(error(Kind::TooBig, "the message has " + std::to_string(message.size()) +
                                              " bytes, more than the limit of " +
                                              std::to_string(store.max_message_size)));
  std::size_t keyword_count = 0;
  {
    std::lock_guard lock(impl_->mutex);
    if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
    keyword_count = impl_->keywords.size();  // keywords are only ever added: the mask stays right
  }
  flags.system &= kAllSystemFlags;
  flags.keywords &= keyword_mask(keyword_count);
  const std::uint64_t vsize = crlf_size(message);
  const std::string base = impl_->user->store->unique_base(message.size(), vsize);
  std::string file = make_file_name(base, flags);
  const std::int64_t mtime = internal_date.value_or(detail::now_seconds());

  // The expensive part, outside the lock: write and fsync the file in tmp/ (maildir(5)).
  core::DurableFileOptions options;
  options.mode = 0600;
  options.temp_dir = impl_->tmp;
  options.temp_name = base;
  const std::string target = impl_->cur_path(file);
  auto writer = core::DurableFileWriter::create(target, options);
  auto failed = [](const core::DurableFileError& e) {
    return Unexpected(StoreError{e.code, Kind::Io, e.message});
  };
  if (!writer) return failed(writer.error());
  if (auto ok = writer->write(message); !ok) return failed(ok.error());
  if (auto ok = writer->set_mtime(mtime); !ok) return failed(ok.error());
  if (auto ok = writer->sync(); !ok) return failed(ok.error());

  std::uint32_t uid = 0;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return Unexpected(ok.error());  // the writer removes tmp/ on return
    if (m.uidnext > kMaxUid)
      return Unexpected(error(Kind::Io, "the mailbox " + m.name + " has run out of UIDs"));
    const bool clean = m.cur_clean();
    if (auto ok = writer->publish(core::DurableFileWriter::Publish::keep_existing); !ok)
      return failed(ok.error());
    if (auto ok = detail::fsync_dir(m.cur); !ok) {
      ::unlink(target.c_str());
      return Unexpected(ok.error());
    }
    std::string line;
    append_uid_record(line, m.uidnext, vsize, mtime, base);
    if (auto ok = m.append_records(line, 1); !ok) {
      ::unlink(target.c_str());  // never acknowledged: a rebuild must not find it
      (void)detail::fsync_dir(m.cur);
      return Unexpected(ok.error());
    }
    Entry e;
    e.uid = uid = m.uidnext++;
    e.base_len = static_cast<std::uint32_t>(base.size());
    e.flags = flags;
    e.vsize = vsize;
    e.mtime = mtime;
    e.file = std::move(file);
    m.entries.push_back(std::move(e));  // the largest UID: the order stays
    m.journal_add(Change::Kind::Added, uid);
    m.own_change_done(clean);
  }
  impl_->notify();
  return uid;
}

std::vector<std::string> Mailbox::keywords() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->keywords;
}

Expected<std::uint32_t, StoreError> Mailbox::keyword_bits(std::span<const std::string> names, bool create) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
  return impl_->keyword_bits(names, create);
}

bool Mailbox::try_lock_exclusive() {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (m.exclusive || m.gone) return false;
  const int fd = ::open(m.lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  m.lock_fd = fd;
  m.exclusive = true;
  return true;
}

void Mailbox::unlock_exclusive() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->lock_fd >= 0) ::close(impl_->lock_fd);  // releases the flock
  impl_->lock_fd = -1;
  impl_->exclusive = false;
}

std::uint32_t Mailbox::take_recent(std::uint32_t session_uidnext) {
  std::lock_guard lock(impl_->mutex);
  const std::uint32_t floor = impl_->recent_floor;
  impl_->recent_floor = std::max(floor, session_uidnext);
  return floor;
}

std::uint32_t Mailbox::recent_floor() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recent_floor;
}

std::uint64_t Mailbox::subscribe(Listener listener) {
  std::lock_guard lock(impl_->listeners_mutex);
  const std::uint64_t id = impl_->next_listener++;
  impl_->listeners.emplace(id, std::make_shared<Listener>(std::move(listener)));
  return id;
}

void Mailbox::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(impl_->listeners_mutex);
  impl_->listeners.erase(id);
}

void Mailbox::mark_gone() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->gone = true;
    if (impl_->index_fd >= 0) ::close(impl_->index_fd);
    impl_->index_fd = -1;
  }
  impl_->notify();  // IDLE sessions wake and find it gone
}

bool Mailbox::gone() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->gone;
}

}  // namespace endhost::mail::store
