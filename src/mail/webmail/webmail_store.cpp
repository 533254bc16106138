// The webmail's store routes (folders, the list, a message, its HTML frame, a part, mark, move, delete):
// plain blocking code, run whole on the mail server's blocking pool by Webmail::handle.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "imap/message/parsed_message.hpp"
#include "imap/message/search_match.hpp"
#include "imap/mutf7.hpp"
#include "mail/message/base64.hpp"
#include "mail/webmail/html_sanitizer.hpp"
#include "mail/webmail/json_text.hpp"
#include "mail/webmail/message_view.hpp"
#include "mail/webmail/replies.hpp"
#include "mail/webmail/route.hpp"
#include "mail/webmail/webmail.hpp"

namespace endhost::mail::webmail {

namespace {

using MailboxPtr = std::shared_ptr<store::Mailbox>;

Expected<MailboxPtr, store::StoreError> open_folder(store::Store& st, const std::string& user,
                                                    std::string_view name) {
  auto us = st.user(user);
  if (!us) return Unexpected(us.error());
  auto mb = (*us)->open(name);
  if (!mb) return Unexpected(mb.error());
  auto fresh = (*mb)->refresh();  // take in what was delivered since anyone last looked
  if (!fresh) return Unexpected(fresh.error());
  return *mb;
}

// The first `max` bytes of a message: enough for its header, without reading a large attachment.
std::string read_head(store::Mailbox& mb, std::uint32_t uid, std::size_t max) {
  auto fd = mb.open(uid);
  if (!fd) return {};
  std::string out(max, '\0');
  std::size_t got = 0;
  while (got < max) {
    const ssize_t n = ::read(*fd, out.data() + got, max - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    // The header ends at the first empty line; stop once it is in.
    if (out.find("\r\n\r\n") < got || out.find("\n\n") < got) break;
  }
  ::close(*fd);
  out.resize(got);
  return out;
}

std::string display_name(const std::string& name) {
  auto d = imap::mutf7_decode(name);
  return d ? *d : name;
}

void flags_json(JsonWriter& j, const store::Flags& f) {
  j.key("seen").value((f.system & store::kSeen) != 0);
  j.key("flagged").value((f.system & store::kFlagged) != 0);
  j.key("answered").value((f.system & store::kAnswered) != 0);
}

bool is_trash(const std::string& name) {
  return name == "Trash";
}

// Inline images (cid:) become data: URLs in the frame's document: the frame is sandboxed (an opaque origin),
// so a request from it would carry no SameSite=Strict cookie, and a data: URL needs none. Bounded in total.
constexpr std::size_t kMaxInlineImages = 8 * 1024 * 1024;

}  // namespace

Response Webmail::on_pool(const Request& req, const SessionInfo& session, int route) {
  store::Store& st = backend_.store();
  const Form p = parameters(req);
  const auto id = static_cast<RouteId>(route);
  if (id == RouteId::Folders) {
    auto us = st.user(session.user);
    if (!us) return store_error(us.error());
    auto list = (*us)->list();
    if (!list) return store_error(list.error());
    JsonWriter j;
    j.begin_object().key("folders").begin_array();
    for (const auto& f : *list) {
      std::uint64_t total = 0, unread = 0;
      if (f.selectable) {
        auto mb = open_folder(st, session.user, f.name);
        if (mb) {
          const auto snap = (*mb)->snapshot();
          total = snap.messages.size();
          for (const auto& m : snap.messages) unread += (m.flags.system & store::kSeen) ? 0 : 1;
        }
      }
      j.begin_object();
      j.key("name").value(f.name).key("display").value(display_name(f.name));
      j.key("special_use").value(f.special_use).key("selectable").value(f.selectable);
      j.key("total").value(total).key("unread").value(unread);
      j.end_object();
    }
    j.end_array().end_object();
    return json_ok(j.take());
  }

  const std::string folder = p.get_or("folder", "INBOX");
  auto opened = open_folder(st, session.user, folder);
  if (!opened) return store_error(opened.error());
  store::Mailbox& mb = **opened;

  if (id == RouteId::Messages) {
    const auto snap = mb.snapshot();
    std::size_t size = config_.page_size;
    if (auto s = p.get("size")) {
      auto v = parse_count(*s, config_.max_page_size);
      if (!v || *v == 0)
        return json_error(http::Status::bad_request, "size: 1 to " + std::to_string(config_.max_page_size));
      size = static_cast<std::size_t>(*v);
    }
    const auto page_v = parse_count(p.get_or("page", "0"), 1'000'000);
    if (!page_v) return json_error(http::Status::bad_request, "page: a number from 0");
    const std::size_t page = static_cast<std::size_t>(*page_v);
    // Newest first (by UID: the order of arrival).
    std::vector<const store::MessageRecord*> order;
    order.reserve(snap.messages.size());
    for (auto it = snap.messages.rbegin(); it != snap.messages.rend(); ++it) order.push_back(&*it);
    const std::string q = p.get_or("q", "");
    bool scan_limited = false;
    if (!q.empty()) {
      // SEARCH TEXT's test (RFC 3501 §6.4.4), the IMAP server's own code: header fields decoded and text
      // bodies decoded, ASCII case folded.
      const imap::message::Needle needle(q);
      std::vector<const store::MessageRecord*> hits;
      std::size_t scanned = 0;
      for (const auto* m : order) {
        if (scanned++ >= config_.max_search_scan) {
          scan_limited = true;
          break;
        }
        auto text = mb.read(m->uid, config_.max_read);
        if (!text) continue;
        const imap::message::ParsedMessage parsed(*text);
        imap::message::MessageSearch search(parsed);
        if (search.text_contains(needle)) hits.push_back(m);
      }
      order = std::move(hits);
    }
    const std::size_t total = order.size();
    const std::size_t pages = total == 0 ? 1 : (total + size - 1) / size;
    JsonWriter j;
    j.begin_object().key("folder").value(folder).key("total").value(static_cast<std::uint64_t>(total));
    j.key("page")
        .value(static_cast<std::uint64_t>(page))
        .key("pages")
        .value(static_cast<std::uint64_t>(pages));
    j.key("size").value(static_cast<std::uint64_t>(size)).key("search_limited").value(scan_limited);
    j.key("messages").begin_array();
    for (std::size_t i = page * size; i < total && i < (page + 1) * size; ++i) {
      const store::MessageRecord& m = *order[i];
      const HeaderSummary h = summarize_header(read_head(mb, m.uid, config_.header_bytes));
      j.begin_object();
      j.key("uid").value(static_cast<std::uint64_t>(m.uid)).key("from").value(h.from).key("to").value(h.to);
      j.key("subject").value(h.subject).key("date").value(h.date);
      j.key("internal_date").value(m.internal_date).key("size").value(m.size);
      flags_json(j, m.flags);
      j.end_object();
    }
    j.end_array().end_object();
    return json_ok(j.take());
  }

  if (id == RouteId::Flags || id == RouteId::Move || id == RouteId::Delete) {
    auto uids = parse_uid_list(p.get_or("uids", ""), config_.max_uids);
    if (!uids) return json_error(http::Status::bad_request, "uids: a list of message UIDs, comma-separated");
    if (id == RouteId::Flags) {
      const std::string flag = p.get_or("flag", "");
      std::uint8_t bit = 0;
      if (flag == "seen") bit = store::kSeen;
      if (flag == "flagged") bit = store::kFlagged;
      if (flag == "answered") bit = store::kAnswered;
      if (bit == 0) return json_error(http::Status::bad_request, "flag: seen, flagged or answered");
      const bool on = p.get_or("set", "1") == "1";
      auto changed = mb.store_flags(*uids, on ? store::Mailbox::FlagOp::Add : store::Mailbox::FlagOp::Remove,
                                    store::Flags{bit, 0});
      if (!changed) return store_error(changed.error());
      JsonWriter j;
      j.begin_object().key("changed").value(static_cast<std::uint64_t>(changed->size())).end_object();
      return json_ok(j.take());
    }
    std::string to = id == RouteId::Move ? p.get_or("to", "") : std::string("Trash");
    if (id == RouteId::Move && (to.empty() || to == folder))
      return json_error(http::Status::bad_request, "to: another folder");
    std::size_t done = 0;
    if (id == RouteId::Delete && is_trash(folder)) {
      auto gone = mb.expunge(*uids);
      if (!gone) return store_error(gone.error());
      done = gone->size();
    } else {
      auto dest = open_folder(st, session.user, to);
      if (!dest) return store_error(dest.error());
      // MOVE as RFC 6851 §3.3 describes it: copy, then expunge what was copied.
      auto copied = mb.copy_to(**dest, *uids);
      if (!copied) return store_error(copied.error());
      std::vector<std::uint32_t> moved;
      for (std::size_t i = 0; i < uids->size(); ++i)
        if ((*copied)[i] != 0) moved.push_back((*uids)[i]);
      auto gone = mb.expunge(moved);
      if (!gone) return store_error(gone.error());
      done = gone->size();
    }
    JsonWriter j;
    j.begin_object().key("moved").value(static_cast<std::uint64_t>(done)).key("to").value(to).end_object();
    return json_ok(j.take());
  }

  const auto uid_v = parse_count(p.get_or("uid", ""), UINT32_MAX);
  if (!uid_v || *uid_v == 0) return json_error(http::Status::bad_request, "uid: a message UID");
  const auto uid = static_cast<std::uint32_t>(*uid_v);
  const auto record = mb.find(uid);
  if (!record) return json_error(http::Status::not_found, "no such message");
  auto text = mb.read(uid, config_.max_read);
  if (!text) return store_error(text.error());

  if (id == RouteId::Source) {
    // The stored bytes as they are, for a mail client to open or to keep: always a download.
    Response r;
    r.content_type = "message/rfc822";
    r.fields.add("Content-Disposition",
                 attachment_disposition_field(eml_filename(summarize_header(*text).subject)));
    r.body = std::move(*text);
    return r;
  }

  if (id == RouteId::Message) {
    const MessageView v = view_message(*text);
    std::size_t remote = 0;
    if (!v.html_part.empty()) {
      if (auto html = part_text(*text, v.html_part)) remote = sanitize_html(*html).remote_blocked;
    }
    JsonWriter j;
    j.begin_object().key("folder").value(folder).key("uid").value(static_cast<std::uint64_t>(uid));
    j.key("from").value(v.header.from).key("to").value(v.header.to).key("cc").value(v.header.cc);
    j.key("subject").value(v.header.subject).key("date").value(v.header.date);
    j.key("size").value(record->size);
    flags_json(j, record->flags);
    j.key("text").value(v.text).key("html").value(!v.html_part.empty());
    j.key("remote_blocked").value(static_cast<std::uint64_t>(remote));
    j.key("attachments").begin_array();
    for (const auto& a : v.attachments) {
      j.begin_object().key("part").value(a.part).key("filename").value(a.filename);
      j.key("type").value(a.content_type).key("size").value(a.size).end_object();
    }
    j.end_array().end_object();
    return json_ok(j.take());
  }

  if (id == RouteId::Html) {
    const MessageView v = view_message(*text);
    const auto html = v.html_part.empty() ? std::optional<std::string>() : part_text(*text, v.html_part);
    if (!html) return json_error(http::Status::not_found, "the message has no HTML part");
    const bool remote = p.get_or("remote", "0") == "1";
    std::size_t inlined = 0;
    const std::string_view message_text = *text;
    SanitizeOptions o;
    o.allow_remote_images = remote;
    o.resolve_cid = [&](std::string_view cid) -> std::string {
      const std::string part = part_for_content_id(message_text, cid);
      if (part.empty()) return {};
      auto c = extract_part(message_text, part);
      if (!c || !c->content_type.starts_with("image/") || c->content_type == "image/svg+xml") return {};
      if (inlined + c->data.size() > kMaxInlineImages) return {};
      inlined += c->data.size();
      return "data:" + c->content_type + ";base64," + mail::message::base64_encode(c->data);
    };
    const SanitizedHtml clean = sanitize_html(*html, o);
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
        "<style>body{font:14px/1.45 system-ui,sans-serif;margin:12px;color:#1d1d1f;overflow-wrap:anywhere}"
        "img{max-width:100%;height:auto}table{max-width:100%}</style></head><body>";
    r.body += clean.html;
    r.body += "</body></html>";
    // The frame's own policy: no script at all, images only inline (or remote when asked), the sanitised
    // inline styles, framed only by our page, and sandboxed even when opened on its own (CSP3 `sandbox`).
    r.csp = std::string("default-src 'none'; img-src data:") + (remote ? " http: https:" : "") +
            "; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; "
            "sandbox allow-popups allow-popups-to-escape-sandbox";
    r.framable = true;
    return r;
  }

  // RouteId::Part: a download, always an attachment with a type that cannot render as active content.
  const std::string part = p.get_or("part", "");
  auto c = extract_part(*text, part);
  if (!c) return json_error(http::Status::not_found, "no such part");
  Response r;
  r.content_type = safe_download_type(c->content_type);
  r.body = std::move(c->data);
  // An attached message (message/rfc822) is named as the list names it; anything else by its own name.
  const bool message = c->content_type == "message/rfc822" || c->content_type == "message/global";
  r.fields.add("Content-Disposition",
               attachment_disposition_field(
                   safe_filename(c->filename, message ? std::string("message.eml") : "part-" + part)));
  return r;
}

}  // namespace endhost::mail::webmail
