// SEARCH and UID SEARCH (RFC 3501 §6.4.4): the flag, size, date and set keys from the view, the message
// tests (header fields, BODY, TEXT, SENT*) from imap/message on the message read only when a key needs it.
#include <unordered_map>

#include "imap/date_time.hpp"
#include "imap/message/parsed_message.hpp"
#include "imap/message/search_match.hpp"
#include "imap/session/session.hpp"

namespace endhost::imap {

namespace {

bool needs_message(const SearchKey& k) {
  using K = SearchKey::Kind;
  switch (k.kind) {
    case K::Bcc:
    case K::Body:
    case K::Cc:
    case K::From:
    case K::Header:
    case K::SentBefore:
    case K::SentOn:
    case K::SentSince:
    case K::Subject:
    case K::Text:
    case K::To:
      return true;
    default:
      for (const SearchKey& c : k.children)
        if (needs_message(c)) return true;
      return false;
  }
}

// What one SEARCH prepares once for every message: sets resolved, needles folded.
struct Prepared {
  std::unordered_map<const SearchKey*, std::vector<SeqRange>> sets;
  std::unordered_map<const SearchKey*, message::Needle> needles;
  void add(const SearchKey& k, std::uint32_t exists, std::uint32_t max_uid) {
    using K = SearchKey::Kind;
    if (k.kind == K::SequenceSet) sets.emplace(&k, resolve(k.set, exists));
    if (k.kind == K::Uid) sets.emplace(&k, resolve(k.set, max_uid));
    switch (k.kind) {
      case K::Bcc:
      case K::Body:
      case K::Cc:
      case K::From:
      case K::Header:
      case K::Subject:
      case K::Text:
      case K::To:
        needles.emplace(&k, message::Needle(k.text));
        break;
      default:
        break;
    }
    for (const SearchKey& c : k.children) add(c, exists, max_uid);
  }
};

// The message's text, read the first time a key asks for it.
struct Lazy {
  Lazy(Folder& f, std::uint32_t u) : folder(f), uid(u) {}
  Folder& folder;
  std::uint32_t uid;
  bool tried = false;
  std::string text;
  std::optional<message::ParsedMessage> parsed;
  std::optional<message::MessageSearch> search;
  message::MessageSearch* get() {
    if (!tried) {
      tried = true;
      auto bytes = folder.read(uid);
      if (bytes) {
        text = std::move(*bytes);
        parsed.emplace(text);
        search.emplace(*parsed);
      }
    }
    return search ? &*search : nullptr;
  }
};

struct Context {
  const Prepared& prep;
  const View::Entry& entry;
  std::uint32_t seq;
  Lazy& lazy;
};

bool has(const Flags& f, std::uint8_t bit) {
  return (f.system & bit) != 0;
}

Date internal_day(std::int64_t unix_seconds) {
  // RFC 3501 §6.4.4: BEFORE, ON and SINCE compare the internal date's day, "disregarding time and
  // timezone"; the day is taken in UTC, the zone INTERNALDATE is shown in.
  const std::int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  return civil_from_days(days);
}

bool matches(const SearchKey& k, Context& c, const View& view) {
  using K = SearchKey::Kind;
  const View::Entry& e = c.entry;
  auto header = [&](std::string_view field) {
    message::MessageSearch* m = c.lazy.get();
    return m && m->header_contains(field, c.prep.needles.at(&k));
  };
  auto sent = [&]() -> std::optional<Date> {
    message::MessageSearch* m = c.lazy.get();
    return m ? m->sent_date() : std::nullopt;
  };
  switch (k.kind) {
    case K::All:
      return true;
    case K::Answered:
      return has(e.flags, mail::store::kAnswered);
    case K::Unanswered:
      return !has(e.flags, mail::store::kAnswered);
    case K::Deleted:
      return has(e.flags, mail::store::kDeleted);
    case K::Undeleted:
      return !has(e.flags, mail::store::kDeleted);
    case K::Draft:
      return has(e.flags, mail::store::kDraft);
    case K::Undraft:
      return !has(e.flags, mail::store::kDraft);
    case K::Flagged:
      return has(e.flags, mail::store::kFlagged);
    case K::Unflagged:
      return !has(e.flags, mail::store::kFlagged);
    case K::Seen:
      return has(e.flags, mail::store::kSeen);
    case K::Unseen:
      return !has(e.flags, mail::store::kSeen);
    case K::Recent:
      return e.recent;
    case K::Old:
      return !e.recent;
    case K::New:
      return e.recent && !has(e.flags, mail::store::kSeen);
    case K::Keyword:
    case K::Unkeyword: {
      bool set = false;
      const auto& kw = view.keywords();
      for (std::size_t i = 0; i < kw.size() && i < 32; ++i) {
        if (kw[i].size() != k.text.size()) continue;
        bool same = true;
        for (std::size_t j = 0; j < kw[i].size() && same; ++j) {
          auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch; };
          same = lower(kw[i][j]) == lower(k.text[j]);
        }
        if (same && (e.flags.keywords & (1u << i))) set = true;
      }
      return k.kind == K::Keyword ? set : !set;
    }
    case K::Larger:
      return e.size > k.number;
    case K::Smaller:
      return e.size < k.number;
    case K::Before:
      return internal_day(e.internal_date) < k.date;
    case K::On:
      return internal_day(e.internal_date) == k.date;
    case K::Since:
      return internal_day(e.internal_date) >= k.date;
    case K::SentBefore: {
      const auto d = sent();
      return d && *d < k.date;
    }
    case K::SentOn: {
      const auto d = sent();
      return d && *d == k.date;
    }
    case K::SentSince: {
      const auto d = sent();
      return d && *d >= k.date;
    }
    case K::Bcc:
      return header("BCC");
    case K::Cc:
      return header("CC");
    case K::From:
      return header("FROM");
    case K::To:
      return header("TO");
    case K::Subject:
      return header("SUBJECT");
    case K::Header:
      return header(k.field);
    case K::Body: {
      message::MessageSearch* m = c.lazy.get();
      return m && m->body_contains(c.prep.needles.at(&k));
    }
    case K::Text: {
      message::MessageSearch* m = c.lazy.get();
      return m && m->text_contains(c.prep.needles.at(&k));
    }
    case K::Uid:
      return contains(c.prep.sets.at(&k), e.uid);
    case K::SequenceSet:
      return contains(c.prep.sets.at(&k), c.seq);
    case K::Not:
      return !matches(k.children.at(0), c, view);
    case K::Or:
      return matches(k.children.at(0), c, view) || matches(k.children.at(1), c, view);
    case K::And:
      for (const SearchKey& child : k.children)
        if (!matches(child, c, view)) return false;
      return true;
    case K::ModSeq:
      return false;  // refused in search()
  }
  return false;
}

bool uses_modseq(const SearchKey& k) {
  if (k.kind == SearchKey::Kind::ModSeq) return true;
  for (const SearchKey& c : k.children)
    if (uses_modseq(c)) return true;
  return false;
}

}  // namespace

Step Session::search(const Command& c) {
  const SearchArgs& a = c.as<SearchArgs>();
  if (a.return_options) return bad(c.tag, "ESEARCH is not offered.");
  if (uses_modseq(a.key)) return bad(c.tag, "CONDSTORE is not offered.");
  // RFC 3501 §6.4.4: an unknown charset is NO [BADCHARSET] with the ones this server knows. Text is
  // compared as UTF-8, of which US-ASCII is a part.
  if (a.charset && *a.charset != "UTF-8" && *a.charset != "US-ASCII") {
    tagged(c.tag, "NO", "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
    return Step::None;
  }
  Prepared prep;
  prep.add(a.key, view_->exists(), view_->max_uid());
  const bool reads = needs_message(a.key);
  std::string line = "* SEARCH";
  for (std::uint32_t seq = 1; seq <= view_->exists(); ++seq) {
    const View::Entry& e = view_->at(seq);
    if (e.expunged && reads) continue;  // its text is gone; its flags still answer the other keys
    Lazy lazy(view_->folder(), e.uid);
    Context ctx{prep, e, seq, lazy};
    if (!matches(a.key, ctx, *view_)) continue;
    line += ' ';
    line += std::to_string(c.uid ? e.uid : seq);
  }
  line += "\r\n";
  out_ += line;
  sync(c.uid);  // RFC 3501 §7.4.1: no EXPUNGE during SEARCH; UID SEARCH may have them
  if (closing_) return Step::Close;
  tagged(c.tag, "OK", "Search completed.");
  return Step::None;
}

}  // namespace endhost::imap
