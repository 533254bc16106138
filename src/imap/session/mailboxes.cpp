// The commands on mailboxes as a whole (RFC 3501 §6.3) and the ones that change messages without reading
// them (STORE, COPY, MOVE: §6.4.6, §6.4.7, RFC 6851), with UIDPLUS's response codes (RFC 4315).
#include <algorithm>
#include <set>

#include "imap/message/wire_string.hpp"
#include "imap/mutf7.hpp"
#include "imap/session/list_match.hpp"
#include "imap/session/session.hpp"

namespace endhost::imap {

namespace {

bool is_inbox(std::string_view name) {
  return name == "INBOX";
}

// RFC 3501 §5.1.3: a name is modified UTF-7 ("&" shifts to modified base64, "&-" is "&" itself, no 8-bit
// octets). A name that is not would come back from LIST in a form no client reads the same way.
bool valid_name(std::string_view name) {
  return mutf7_decode(name).has_value();
}
constexpr std::string_view kBadName = "[CANNOT] Mailbox name is not valid mUTF-7.";

std::string status_name(StatusItem item) {
  switch (item) {
    case StatusItem::Messages:
      return "MESSAGES";
    case StatusItem::Recent:
      return "RECENT";
    case StatusItem::UidNext:
      return "UIDNEXT";
    case StatusItem::UidValidity:
      return "UIDVALIDITY";
    case StatusItem::Unseen:
      return "UNSEEN";
    case StatusItem::Size:
      return "SIZE";
    case StatusItem::Deleted:
      return "DELETED";
    case StatusItem::HighestModSeq:
      return "HIGHESTMODSEQ";
  }
  return "";
}

}  // namespace

Expected<Flags, std::string> Session::to_flags(Folder& folder, const std::vector<Flag>& flags, bool create) {
  Flags f;
  std::vector<std::string> keywords;
  for (const Flag& flag : flags) {
    switch (flag.kind) {
      case FlagKind::System:
        if (flag.name == "\\Seen") f.system |= mail::store::kSeen;
        if (flag.name == "\\Answered") f.system |= mail::store::kAnswered;
        if (flag.name == "\\Flagged") f.system |= mail::store::kFlagged;
        if (flag.name == "\\Deleted") f.system |= mail::store::kDeleted;
        if (flag.name == "\\Draft") f.system |= mail::store::kDraft;
        break;
      case FlagKind::Recent:
        // RFC 3501 §2.3.2: \Recent is the server's to set; a client may not store it.
        return Unexpected(std::string("Invalid system flag \\Recent"));
      case FlagKind::Extension:
        return Unexpected("Invalid system flag " + flag.name);
      case FlagKind::Keyword:
        keywords.push_back(flag.name);
        break;
    }
  }
  if (!keywords.empty()) {
    auto bits = folder.keyword_bits(keywords, create);
    if (!bits) {
      if (bits.error().kind == StoreError::Kind::TooManyKeywords) return Unexpected(std::string("[LIMIT]"));
      return Unexpected(bits.error().message);
    }
    f.keywords = *bits;
  }
  return f;
}

Step Session::create(const Command& c) {
  const std::string& name = c.as<MailboxArgs>().mailbox;
  if (is_inbox(name)) {
    tagged(c.tag, "NO", "[ALREADYEXISTS] Mailbox already exists.");
    return Step::None;
  }
  if (!valid_name(name)) {
    tagged(c.tag, "NO", kBadName);
    return Step::None;
  }
  if (auto ok = account_->create(name); !ok) return store_error(c.tag, ok.error());
  tagged(c.tag, "OK", "Create completed.");
  return Step::None;
}

Step Session::remove(const Command& c) {
  const std::string& name = c.as<MailboxArgs>().mailbox;
  if (is_inbox(name)) {
    tagged(c.tag, "NO", "[CANNOT] INBOX can't be deleted.");  // RFC 3501 §6.3.4
    return Step::None;
  }
  const bool own = view_ && view_->folder().name() == name;
  if (auto ok = account_->remove(name); !ok) return store_error(c.tag, ok.error());
  if (own) {
    // This session deleted what it had selected: the mailbox is closed, quietly (Dovecot's behaviour).
    view_.reset();
    state_ = State::Authenticated;
    untagged("OK [CLOSED] Mailbox deleted.");
  }
  tagged(c.tag, "OK", "Delete completed.");
  return Step::None;
}

Step Session::rename(const Command& c) {
  const RenameArgs& a = c.as<RenameArgs>();
  if (is_inbox(a.to)) {
    tagged(c.tag, "NO", "[ALREADYEXISTS] Mailbox already exists.");
    return Step::None;
  }
  if (!valid_name(a.to)) {
    tagged(c.tag, "NO", kBadName);
    return Step::None;
  }
  const bool own =
      view_ && !is_inbox(a.from) &&
      (view_->folder().name() == a.from || view_->folder().name().rfind(a.from + kDelimiter, 0) == 0);
  if (auto ok = account_->rename(a.from, a.to); !ok) return store_error(c.tag, ok.error());
  // The subscriptions follow the folders they name (as Dovecot and Thunderbird expect); INBOX's stay, since
  // INBOX itself does.
  if (!is_inbox(a.from)) {
    for (const std::string& s : account_->subscriptions()) {
      if (s != a.from && s.rfind(a.from + kDelimiter, 0) != 0) continue;
      (void)account_->subscribe(s, false);
      (void)account_->subscribe(a.to + s.substr(a.from.size()), true);
    }
  }
  if (own) {
    view_.reset();
    state_ = State::Authenticated;
    untagged("OK [CLOSED] Mailbox renamed.");
  }
  sync(true);  // RENAME INBOX empties the selected INBOX
  if (closing_) return Step::Close;
  tagged(c.tag, "OK", "Rename completed.");
  return Step::None;
}

Step Session::subscribe(const Command& c, bool on) {
  if (auto ok = account_->subscribe(c.as<MailboxArgs>().mailbox, on); !ok)
    return store_error(c.tag, ok.error());
  tagged(c.tag, "OK", on ? "Subscribe completed." : "Unsubscribe completed.");
  return Step::None;
}

std::string Session::status_line(Folder& folder, std::span<const StatusItem> items, const std::string& name) {
  const FolderStatus s = folder.status();
  std::string line = "STATUS ";
  message::append_astring(line, name);
  line += " (";
  bool first = true;
  for (StatusItem item : items) {
    if (!first) line += ' ';
    first = false;
    line += status_name(item);
    line += ' ';
    switch (item) {
      case StatusItem::Messages:
        line += std::to_string(s.messages);
        break;
      case StatusItem::Recent:
        line += std::to_string(s.recent);
        break;
      case StatusItem::UidNext:
        line += std::to_string(s.uidnext);
        break;
      case StatusItem::UidValidity:
        line += std::to_string(s.uidvalidity);
        break;
      case StatusItem::Unseen:
        line += std::to_string(s.unseen);
        break;
      case StatusItem::Size:
        line += std::to_string(s.size);
        break;
      case StatusItem::Deleted:
        line += std::to_string(s.deleted);
        break;
      case StatusItem::HighestModSeq:
        line += "0";
        break;
    }
  }
  line += ')';
  return line;
}

Step Session::status(const Command& c) {
  const StatusArgs& a = c.as<StatusArgs>();
  for (StatusItem item : a.items)
    if (item == StatusItem::HighestModSeq) return bad(c.tag, "CONDSTORE is not offered.");
  auto folder = account_->open(a.mailbox);
  if (!folder) return store_error(c.tag, folder.error());
  if (auto r = (*folder)->refresh(); !r) return store_error(c.tag, r.error());
  untagged(status_line(**folder, a.items, a.mailbox));
  tagged(c.tag, "OK", "Status completed.");
  return Step::None;
}

Step Session::list(const Command& c, bool lsub) {
  const ListArgs& a = c.as<ListArgs>();
  // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the reference's root.
  if (!lsub && a.patterns.size() == 1 && a.patterns[0].empty() && !a.extended) {
    untagged("LIST (\\Noselect) \".\" \"\"");
    tagged(c.tag, "OK", "List completed.");
    return Step::None;
  }
  auto has = [](const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (const std::string& opt : a.selection)
    if (opt != "SUBSCRIBED" && opt != "SPECIAL-USE" && opt != "RECURSIVEMATCH")
      return bad(c.tag, "Unknown LIST selection option.");
  const bool recursive = has(a.selection, "RECURSIVEMATCH");
  // RFC 5258 §3: RECURSIVEMATCH qualifies another selection option; alone it is an error.
  if (recursive && a.selection.size() == 1)
    return bad(c.tag, "RECURSIVEMATCH needs another selection option.");
  const bool only_subscribed = lsub || has(a.selection, "SUBSCRIBED");
  const bool only_special = has(a.selection, "SPECIAL-USE");
  const bool ret_subscribed = !lsub && (has(a.return_options, "SUBSCRIBED") || only_subscribed);
  const bool ret_status = !a.return_status.empty();
  for (StatusItem item : a.return_status)
    if (item == StatusItem::HighestModSeq) return bad(c.tag, "CONDSTORE is not offered.");

  auto folders = account_->list();
  if (!folders) return store_error(c.tag, folders.error());
  const std::vector<std::string> subs = account_->subscriptions();
  const std::set<std::string> subscribed(subs.begin(), subs.end());
  std::vector<std::string> patterns;
  for (const std::string& p : a.patterns) patterns.push_back(join_reference(a.reference, p));
  auto matches = [&patterns](std::string_view name) {
    for (const std::string& p : patterns)
      if (list_matches(p, name)) return true;
    return false;
  };

  // RFC 5258 §3.5: a name whose descendants match the selection (here: are subscribed) and that
  // RECURSIVEMATCH brings in, or that has them besides, gets CHILDINFO.
  auto subscribed_below = [&subs](const std::string& name) {
    for (const std::string& s : subs)
      if (s.size() > name.size() && s.compare(0, name.size(), name) == 0 && s[name.size()] == kDelimiter)
        return true;
    return false;
  };
  std::set<std::string> shown;
  for (const FolderEntry& f : *folders) {
    if (!matches(f.name)) continue;
    const bool is_sub = subscribed.count(f.name) > 0;
    const bool child_info = recursive && only_subscribed && subscribed_below(f.name);
    if (only_subscribed && !is_sub && !child_info) continue;
    if (only_special && f.special_use.empty()) continue;
    shown.insert(f.name);
    std::string attrs;
    auto attr = [&attrs](std::string_view s) {
      if (!attrs.empty()) attrs += ' ';
      attrs += s;
    };
    // A level that exists only as the parent of others: \Noselect (RFC 3501 §6.3.8), or \NonExistent when a
    // selection option brought it in (RFC 5258 §3.4: RECURSIVEMATCH's parents).
    if (!f.selectable) attr(!a.selection.empty() && !lsub ? "\\NonExistent" : "\\Noselect");
    attr(f.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (ret_subscribed && is_sub) attr("\\Subscribed");
    if (!f.special_use.empty()) attr(f.special_use);
    std::string line = lsub ? "LSUB (" : "LIST (";
    line += attrs;
    line += ") \".\" ";
    message::append_astring(line, f.name);
    if (child_info) line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    untagged(line);
    if (ret_status && f.selectable) {
      auto folder = account_->open(f.name);
      if (folder && (*folder)->refresh()) untagged(status_line(**folder, a.return_status, f.name));
    }
  }
  // RFC 3501 §6.3.9: with `%`, LSUB lists the parent of a subscribed name that does not match, \Noselect,
  // when the parent is not subscribed itself.
  if (lsub) {
    for (const std::string& name : subs) {
      if (matches(name)) continue;
      for (std::size_t dot = name.find(kDelimiter); dot != std::string::npos;
           dot = name.find(kDelimiter, dot + 1)) {
        const std::string parent = name.substr(0, dot);
        if (shown.count(parent) || subscribed.count(parent) || !matches(parent)) continue;
        shown.insert(parent);
        std::string line = "LSUB (\\Noselect) \".\" ";
        message::append_astring(line, parent);
        untagged(line);
      }
    }
  }
  // RFC 5258 §3.1: a subscribed name that does not exist is listed as \NonExistent (LSUB: \Noselect).
  if (only_subscribed && !only_special) {
    for (const std::string& name : subs) {
      if (shown.count(name) || !matches(name)) continue;
      std::string line = lsub ? "LSUB (\\Noselect) \".\" " : "LIST (\\Subscribed \\NonExistent) \".\" ";
      message::append_astring(line, name);
      untagged(line);
    }
  }
  tagged(c.tag, "OK", lsub ? "Lsub completed." : "List completed.");
  return Step::None;
}

Step Session::append(const Command& c) {
  const AppendArgs& a = c.as<AppendArgs>();
  if (a.message.empty()) {
    tagged(c.tag, "NO", "Can't save a zero byte message.");
    return Step::None;
  }
  if (a.message.size() > config_.max_message_size) {
    tagged(c.tag, "NO", "[TOOBIG] Message too large.");
    return Step::None;
  }
  auto folder = account_->open(a.mailbox);
  if (!folder) {
    // RFC 3501 §6.3.11: a mailbox that does not exist is a NO with TRYCREATE.
    if (folder.error().kind == StoreError::Kind::NoSuchMailbox) {
      tagged(c.tag, "NO", "[TRYCREATE] Mailbox doesn't exist.");
      return Step::None;
    }
    return store_error(c.tag, folder.error());
  }
  auto flags = to_flags(**folder, a.flags, true);
  if (!flags) {
    if (flags.error() == "[LIMIT]") {
      tagged(c.tag, "NO", "[LIMIT] Too many keywords in this mailbox.");
      return Step::None;
    }
    return bad(c.tag, flags.error());
  }
  std::optional<std::int64_t> date;
  if (a.internal_date) date = a.internal_date->unix_seconds;
  auto uid = (*folder)->append(a.message, *flags, date);
  if (!uid) return store_error(c.tag, uid.error());
  ++stats_.appended;
  const FolderStatus s = (*folder)->status();
  sync(true);  // the selected mailbox may be this one: its new EXISTS
  if (closing_) return Step::Close;
  tagged(c.tag, "OK",
         "[APPENDUID " + std::to_string(s.uidvalidity) + " " + std::to_string(*uid) + "] Append completed.");
  return Step::None;
}

Step Session::store(const Command& c) {
  const StoreArgs& a = c.as<StoreArgs>();
  if (a.unchanged_since || !a.modifiers.empty()) return bad(c.tag, "CONDSTORE is not offered.");
  if (!c.uid && beyond_last(a.set)) return bad(c.tag, "Invalid messageset.");
  if (view_->read_only()) {
    tagged(c.tag, "NO", "[READ-ONLY] Mailbox is read-only.");
    return Step::None;
  }
  auto flags = to_flags(view_->folder(), a.flags, a.mode != StoreArgs::Mode::Remove);
  if (!flags) {
    if (flags.error() == "[LIMIT]") {
      tagged(c.tag, "NO", "[LIMIT] Too many keywords in this mailbox.");
      return Step::None;
    }
    return bad(c.tag, flags.error());
  }
  const std::vector<std::uint32_t> seqs = view_->select(a.set, c.uid);
  std::vector<std::uint32_t> uids;
  bool some_gone = false;
  for (std::uint32_t seq : seqs) {
    if (view_->at(seq).expunged) {
      some_gone = true;
      continue;
    }
    uids.push_back(view_->at(seq).uid);
  }
  const FlagOp op = a.mode == StoreArgs::Mode::Replace ? FlagOp::Replace
                    : a.mode == StoreArgs::Mode::Add   ? FlagOp::Add
                                                       : FlagOp::Remove;
  if (!uids.empty()) {
    auto changed = view_->folder().store_flags(uids, op, *flags);
    if (!changed) return store_error(c.tag, changed.error());
  }
  view_->refresh_keywords(out_);
  for (std::uint32_t uid : uids) {
    const auto rec = view_->folder().find(uid);
    const auto seq = view_->seq_of(uid);
    if (!seq) continue;
    if (!rec) {
      some_gone = true;
      continue;
    }
    view_->own_flags(uid, rec->flags);
    if (a.silent) continue;
    std::string line = "* " + std::to_string(*seq) + " FETCH (";
    if (c.uid) line += "UID " + std::to_string(uid) + " ";
    line += "FLAGS " + view_->flag_list(rec->flags, view_->at(*seq).recent) + ")\r\n";
    out_ += line;
  }
  sync(c.uid);  // RFC 3501 §7.4.1: no EXPUNGE during STORE; UID STORE may have them
  if (closing_) return Step::Close;
  if (some_gone)
    tagged(c.tag, "NO", "[EXPUNGEISSUED] Some of the requested messages no longer exist.");
  else
    tagged(c.tag, "OK", "Store completed.");
  return Step::None;
}

Step Session::copy(const Command& c, bool move) {
  const CopyArgs& a = c.as<CopyArgs>();
  if (!c.uid && beyond_last(a.set)) return bad(c.tag, "Invalid messageset.");
  if (move && view_->read_only()) {
    tagged(c.tag, "NO", "[READ-ONLY] Mailbox is read-only.");
    return Step::None;
  }
  auto dest = account_->open(a.mailbox);
  if (!dest) {
    if (dest.error().kind == StoreError::Kind::NoSuchMailbox) {
      tagged(c.tag, "NO", "[TRYCREATE] Mailbox doesn't exist.");  // RFC 3501 §6.4.7
      return Step::None;
    }
    return store_error(c.tag, dest.error());
  }
  std::vector<std::uint32_t> uids;
  for (std::uint32_t seq : view_->select(a.set, c.uid))
    if (!view_->at(seq).expunged) uids.push_back(view_->at(seq).uid);
  if (uids.empty()) {
    sync(true);
    if (closing_) return Step::Close;
    // RFC 9051 §6.4.7: nothing to copy is not an error.
    tagged(c.tag, "OK", move ? "No messages found." : "No messages found.");
    return Step::None;
  }
  auto copied = view_->folder().copy_to(**dest, uids);
  if (!copied) return store_error(c.tag, copied.error());
  std::vector<SeqRange> src, dst;
  std::vector<std::uint32_t> moved;
  for (std::size_t i = 0; i < uids.size() && i < copied->size(); ++i) {
    if ((*copied)[i] == 0) continue;
    src.push_back({uids[i], uids[i]});
    dst.push_back({(*copied)[i], (*copied)[i]});
    moved.push_back(uids[i]);
  }
  std::string code;
  if (!src.empty()) {
    // RFC 4315 §3: the sets in the same order, so ranges are not merged.
    const FolderStatus s = (*dest)->status();
    std::string sset, dset;
    for (std::size_t i = 0; i < src.size(); ++i) {
      if (i) {
        sset += ',';
        dset += ',';
      }
      sset += std::to_string(src[i].first);
      dset += std::to_string(dst[i].first);
    }
    code = "[COPYUID " + std::to_string(s.uidvalidity) + " " + sset + " " + dset + "] ";
  }
  if (!move) {
    sync(true);
    if (closing_) return Step::Close;
    tagged(c.tag, "OK", code + "Copy completed.");
    return Step::None;
  }
  // RFC 6851 §4.3: COPYUID goes untagged before the EXPUNGEs, and the tagged OK carries none.
  if (!code.empty()) untagged("OK " + code.substr(0, code.size() - 1) + " Moved UIDs.");
  auto gone = view_->folder().expunge(moved);
  if (!gone) return store_error(c.tag, gone.error());
  view_->own_expunge(*gone, out_);
  sync(true);
  if (closing_) return Step::Close;
  tagged(c.tag, "OK", "Move completed.");
  return Step::None;
}

}  // namespace endhost::imap
