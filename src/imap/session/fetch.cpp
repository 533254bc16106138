// FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2): each message read and parsed once for all its items
// (imap/message), written in batches of SessionConfig::batch_bytes (Step::More between them).
#include <algorithm>

#include "imap/date_time.hpp"
#include "imap/message/body_structure.hpp"
#include "imap/message/envelope.hpp"
#include "imap/message/parsed_message.hpp"
#include "imap/message/section.hpp"
#include "imap/session/running.hpp"
#include "imap/session/session.hpp"

namespace endhost::imap {

namespace {

bool needs_text(const FetchItem& item) {
  switch (item.kind) {
    case FetchItem::Kind::Rfc822:
    case FetchItem::Kind::Rfc822Header:
    case FetchItem::Kind::Rfc822Text:
    case FetchItem::Kind::Envelope:
    case FetchItem::Kind::Body:
    case FetchItem::Kind::BodyStructure:
    case FetchItem::Kind::BodySection:
      return true;
    default:
      return false;
  }
}

bool sets_seen(const FetchItem& item) {
  return item.kind == FetchItem::Kind::Rfc822 || item.kind == FetchItem::Kind::Rfc822Text ||
         (item.kind == FetchItem::Kind::BodySection && !item.peek);
}

void append_literal_bytes(std::string& out, std::string_view bytes) {
  out += '{';
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out.append(bytes);
}

}  // namespace

Step Session::fetch(const Command& c) {
  const FetchArgs& a = c.as<FetchArgs>();
  if (a.changed_since || !a.modifiers.empty()) return bad(c.tag, "CONDSTORE is not offered.");
  for (const FetchItem& item : a.items)
    if (item.kind == FetchItem::Kind::ModSeq) return bad(c.tag, "CONDSTORE is not offered.");
  // RFC 9051 §6.4.5: a message sequence number past the last message is an error; a UID is not.
  if (!c.uid && beyond_last(a.set)) return bad(c.tag, "Invalid messageset.");
  auto run = std::make_unique<Running>();
  run->command = c;
  run->seqs = view_->select(a.set, c.uid);
  run->set_seen.assign(run->seqs.size(), false);
  run->needs_body = std::any_of(a.items.begin(), a.items.end(), needs_text);
  const bool marks = std::any_of(a.items.begin(), a.items.end(), sets_seen);
  if (marks && !view_->read_only()) {
    // RFC 3501 §6.4.5: BODY[] (not PEEK) sets \Seen; the new flags go out with the data.
    std::vector<std::uint32_t> unseen;
    for (std::uint32_t seq : run->seqs) {
      const View::Entry& e = view_->at(seq);
      if (!e.expunged && !(e.flags.system & mail::store::kSeen)) unseen.push_back(e.uid);
    }
    if (!unseen.empty()) {
      auto changed = view_->folder().store_flags(unseen, FlagOp::Add, Flags{mail::store::kSeen, 0});
      if (!changed) return store_error(c.tag, changed.error());
      for (std::size_t i = 0; i < run->seqs.size(); ++i) {
        View::Entry& e = view_->at(run->seqs[i]);
        if (e.expunged || (e.flags.system & mail::store::kSeen)) continue;
        if (std::find(changed->begin(), changed->end(), e.uid) == changed->end()) continue;
        e.flags.system |= mail::store::kSeen;
        run->set_seen[i] = true;
      }
    }
  }
  running_ = std::move(run);
  return run_batches();
}

Step Session::run_batches() {
  Running& r = *running_;
  const Command& c = r.command;
  const FetchArgs& a = c.as<FetchArgs>();
  const bool has_flags = std::any_of(a.items.begin(), a.items.end(),
                                     [](const FetchItem& i) { return i.kind == FetchItem::Kind::Flags; });
  const bool has_uid = std::any_of(a.items.begin(), a.items.end(),
                                   [](const FetchItem& i) { return i.kind == FetchItem::Kind::Uid; });
  while (r.next < r.seqs.size()) {
    const std::size_t index = r.next++;
    const std::uint32_t seq = r.seqs[index];
    const View::Entry& e = view_->at(seq);
    if (e.expunged) {
      r.some_gone = true;
      continue;
    }
    std::string text;
    std::optional<message::ParsedMessage> parsed;
    if (r.needs_body) {
      auto bytes = view_->folder().read(e.uid);
      if (!bytes) {
        if (bytes.error().kind == StoreError::Kind::NoSuchMessage) {
          r.some_gone = true;
          continue;
        }
        const std::string tag = c.tag;
        running_.reset();
        return store_error(tag, bytes.error());
      }
      text = std::move(*bytes);
      parsed.emplace(text);
    }
    ++stats_.fetched_messages;
    std::string& out = out_;
    out += "* ";
    out += std::to_string(seq);
    out += " FETCH (";
    bool first = true;
    auto item_start = [&out, &first](std::string_view name) {
      if (!first) out += ' ';
      first = false;
      out.append(name);
    };
    // UID FETCH always says the UID (RFC 3501 §6.4.8); first, as Dovecot and most clients expect.
    if (c.uid || has_uid) {
      item_start("UID ");
      out += std::to_string(e.uid);
    }
    for (const FetchItem& item : a.items) {
      switch (item.kind) {
        case FetchItem::Kind::Uid:
          break;  // written first
        case FetchItem::Kind::Flags:
          item_start("FLAGS ");
          out += view_->flag_list(e.flags, e.recent);
          break;
        case FetchItem::Kind::InternalDate:
          item_start("INTERNALDATE ");
          out += format_internal_date(e.internal_date, 0);
          break;
        case FetchItem::Kind::Rfc822Size:
          item_start("RFC822.SIZE ");
          out += std::to_string(parsed ? parsed->wire_size() : e.size);
          break;
        case FetchItem::Kind::Envelope:
          item_start("ENVELOPE ");
          message::append_envelope(out, message::make_envelope(*parsed));
          break;
        case FetchItem::Kind::Body:
          item_start("BODY ");
          message::append_body_structure(out, *parsed, message::BodyForm::Body);
          break;
        case FetchItem::Kind::BodyStructure:
          item_start("BODYSTRUCTURE ");
          message::append_body_structure(out, *parsed, message::BodyForm::BodyStructure);
          break;
        case FetchItem::Kind::Rfc822:
        case FetchItem::Kind::Rfc822Header:
        case FetchItem::Kind::Rfc822Text: {
          Section s;
          std::string_view name = "RFC822 ";
          if (item.kind == FetchItem::Kind::Rfc822Header) {
            s.text = Section::Text::Header;
            name = "RFC822.HEADER ";
          } else if (item.kind == FetchItem::Kind::Rfc822Text) {
            s.text = Section::Text::Text;
            name = "RFC822.TEXT ";
          }
          item_start(name);
          append_literal_bytes(out, message::fetch_section(*parsed, s).bytes());
          break;
        }
        case FetchItem::Kind::BodySection: {
          item_start(item.response_name());
          out += ' ';
          append_literal_bytes(out, message::fetch_section(*parsed, item.section, item.partial).bytes());
          break;
        }
        case FetchItem::Kind::ModSeq:
          break;  // refused in fetch()
      }
    }
    if (r.set_seen[index] && !has_flags) {
      item_start("FLAGS ");
      out += view_->flag_list(e.flags, e.recent);
    }
    out += ")\r\n";
    if (out_.size() - sent_ >= config_.batch_bytes && r.next < r.seqs.size()) return Step::More;
  }
  const std::string tag = c.tag;
  const bool uid = c.uid;
  const bool some_gone = r.some_gone;
  running_.reset();
  sync(uid);  // RFC 3501 §7.4.1: no EXPUNGE during FETCH; UID FETCH may have them
  if (closing_) return Step::Close;
  if (some_gone)
    tagged(tag, "NO", "[EXPUNGEISSUED] Some messages were expunged before they could be fetched.");
  else
    tagged(tag, "OK", "Fetch completed.");
  return Step::None;
}

}  // namespace endhost::imap
