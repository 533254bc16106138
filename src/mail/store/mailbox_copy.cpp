// COPY (hard links, or copies through tmp/) and RENAME INBOX's move of every message (mailbox_impl.hpp).
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/durable_file.hpp"
#include "mail/store/context.hpp"
#include "mail/store/mailbox_impl.hpp"

namespace endhost::mail::store {

using namespace detail;  // the helpers of mailbox_impl.hpp and disk.hpp
using Kind = StoreError::Kind;

Expected<void, StoreError> Mailbox::Impl::copy_in(std::vector<CopyItem>& items,
                                                  std::vector<std::uint32_t>& result,
                                                  std::vector<std::size_t>& missing, bool* changed) {
  if (auto ok = usable(); !ok) return ok;
  const bool clean = cur_clean();
  struct Made {
    std::size_t position;
    std::string file;
    Flags flags;
    std::uint64_t vsize;
    std::int64_t mtime;
  };
  std::vector<Made> made;
  StoreError failure;
  bool failed = false;
  for (CopyItem& item : items) {
    Flags flags{item.system, 0};
    for (const std::string& k : item.keyword_names) {
      // One keyword at a time: one that finds no room is dropped, the others are kept.
      const std::string one[] = {k};
      if (auto bits = keyword_bits(one, true)) flags.keywords |= *bits;
    }
    // A new base for the copy (Dovecot's default too): the same base twice in one folder would break
    // the index, and POP3 must see a copy as another message.
    std::string file = make_file_name(user->store->unique_base(item.size, item.vsize), flags, item.other);
    const std::string target = cur_path(file);
    bool done = false;
    if (::linkat(AT_FDCWD, item.path.c_str(), AT_FDCWD, target.c_str(), 0) == 0) {
      done = true;
    } else if (errno == ENOENT) {
      missing.push_back(item.position);
      continue;
    } else if (errno == EXDEV || errno == EPERM || errno == EMLINK || errno == EOPNOTSUPP) {
      auto bytes = detail::read_file(item.path, std::max(item.size, user->store->max_message_size) + 1);
      if (!bytes && bytes.error().code == ENOENT) {
        missing.push_back(item.position);
        continue;
      }
      if (!bytes) {
        failure = bytes.error();
        failed = true;
        break;
      }
      core::DurableFileOptions options;
      options.mode = 0600;
      options.temp_dir = tmp;
      options.temp_name = std::string(split_file_name(file).base);
      auto writer = core::DurableFileWriter::create(target, options);
      Expected<void, core::DurableFileError> ok;
      if (!writer) ok = Unexpected(writer.error());
      if (ok) ok = writer->write(*bytes);
      if (ok) ok = writer->set_mtime(item.mtime);
      if (ok) ok = writer->sync();
      if (ok) {
        auto published = writer->publish(core::DurableFileWriter::Publish::keep_existing);
        if (!published) ok = Unexpected(published.error());
      }
      if (!ok) {
        failure = StoreError{ok.error().code, Kind::Io, ok.error().message};
        failed = true;
        break;
      }
      done = true;
    } else {
      failure = io_error(errno, "cannot link the copy", target);
      failed = true;
      break;
    }
    if (done) made.push_back(Made{item.position, std::move(file), flags, item.vsize, item.mtime});
  }
  if (!made.empty()) {
    auto synced = detail::fsync_dir(cur);
    std::string lines;
    std::uint32_t uid = uidnext;
    for (const Made& m : made)
      append_uid_record(lines, uid++, m.vsize, m.mtime, split_file_name(m.file).base);
    auto appended =
        synced ? append_records(lines, made.size()) : Expected<void, StoreError>(Unexpected(synced.error()));
    if (!appended) {
      // Not indexed: remove the copies rather than leave files a rebuild would number later.
      for (const Made& m : made) ::unlink(cur_path(m.file).c_str());
      (void)detail::fsync_dir(cur);
      return Unexpected(appended.error());
    }
    for (Made& m : made) {
      Entry e;
      e.uid = uidnext++;
      e.base_len = static_cast<std::uint32_t>(split_file_name(m.file).base.size());
      e.flags = m.flags;
      e.vsize = m.vsize;
      e.mtime = m.mtime;
      e.file = std::move(m.file);
      result[m.position] = e.uid;
      entries.push_back(std::move(e));
      journal_add(Change::Kind::Added, entries.back().uid);
    }
    *changed = true;
    own_change_done(clean);
  }
  if (failed) return Unexpected(failure);
  return {};
}

std::vector<Mailbox::Impl::CopyItem> Mailbox::Impl::copy_items(std::span<const std::uint32_t> uids,
                                                               std::span<const std::size_t> positions) {
  std::vector<CopyItem> items;
  for (const std::size_t pos : positions) {
    const Entry* e = find(uids[pos]);
    if (!e) continue;
    CopyItem item;
    item.position = pos;
    item.path = cur_path(e->file);
    parse_info(split_file_name(e->file).info, keywords.size(), &item.other);
    item.system = e->flags.system;
    for (std::size_t i = 0; i < keywords.size(); ++i)
      if (e->flags.keywords & (1u << i)) item.keyword_names.push_back(keywords[i]);
    item.vsize = e->vsize;
    item.mtime = e->mtime;
    if (const auto s = name_field(e->base(), 'S')) {
      item.size = *s;
    } else {
      struct stat st {};
      item.size = ::stat(item.path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : e->vsize;
    }
    items.push_back(std::move(item));
  }
  return items;
}

Expected<std::vector<std::uint32_t>, StoreError> Mailbox::copy_to(Mailbox& dest,
                                                                  std::span<const std::uint32_t> uids) {
  std::vector<std::uint32_t> result(uids.size(), 0);
  std::vector<std::size_t> positions(uids.size());
  for (std::size_t i = 0; i < uids.size(); ++i) positions[i] = i;
  bool dest_changed = false, source_changed = false;
  Expected<void, StoreError> outcome;
  // Never both locks at once (the destination may be this mailbox, and two sessions may copy A→B and B→A):
  // the source's state is read under its lock, the copies are made under the destination's.
  for (int attempt = 0; attempt < 2 && !positions.empty() && outcome; ++attempt) {
    std::vector<Impl::CopyItem> items;
    {
      std::lock_guard lock(impl_->mutex);
      if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
      if (attempt > 0) {
        auto synced = impl_->sync(true);
        if (!synced) return Unexpected(synced.error());
        source_changed = source_changed || *synced;
      }
      items = impl_->copy_items(uids, positions);
    }
    std::vector<std::size_t> missing;
    {
      std::lock_guard lock(dest.impl_->mutex);
      outcome = dest.impl_->copy_in(items, result, missing, &dest_changed);
    }
    positions = std::move(missing);
  }
  if (source_changed) impl_->notify();
  if (dest_changed) dest.impl_->notify();
  if (!outcome) return Unexpected(outcome.error());
  return result;
}

Expected<void, StoreError> Mailbox::move_all_to(const std::filesystem::path& dest_dir) {
  Expected<void, StoreError> result;
  bool changed = false;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return ok;
    auto synced = m.sync(true);  // new/ into cur/ first, so every message moves with its flags
    if (!synced) return Unexpected(synced.error());
    changed = *synced;
    // The keywords go first: the letters in the moved names mean nothing without them.
    if (!m.keywords.empty()) {
      std::string text;
      for (std::size_t i = 0; i < m.keywords.size(); ++i)
        text += std::to_string(i) + " " + m.keywords[i] + "\n";
      if (auto ok = detail::write_durably((dest_dir / "endhost-keywords").string(), text); !ok) return ok;
    }
    const std::string dest_cur = (dest_dir / "cur").string();
    std::size_t moved = 0;
    for (; moved < m.entries.size(); ++moved) {
      const std::string from = m.cur_path(m.entries[moved].file);
      const std::string to = dest_cur + "/" + m.entries[moved].file;
      if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0 &&
          errno != ENOENT) {
        result = Unexpected(io_error(errno, "cannot move", from));
        break;
      }
    }
    if (moved > 0) {
      if (auto ok = detail::fsync_dir(dest_cur); !ok && result) result = ok;
      if (auto ok = detail::fsync_dir(m.cur); !ok && result) result = ok;
      for (std::size_t i = 0; i < moved; ++i) m.journal_add(Change::Kind::Expunged, m.entries[i].uid);
      m.entries.erase(m.entries.begin(), m.entries.begin() + static_cast<std::ptrdiff_t>(moved));
      changed = true;
      if (auto ok = m.compact_if_needed(); !ok && result) result = ok;
    }
  }
  if (changed) impl_->notify();
  return result;
}

}  // namespace endhost::mail::store
