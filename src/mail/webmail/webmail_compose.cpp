// Compose (POST /api/send): the multipart/form-data form read with the web server's parser (RFC 7578),
// the message built by mail::message::build_message, handed to the SMTP server's submission path through
// the backend, and a copy APPENDed to Sent with \Seen.
#include <array>

#include "core/clock.hpp"
#include "core/system_random.hpp"
#include "http/server/multipart.hpp"
#include "mail/message/message.hpp"
#include "mail/webmail/json_text.hpp"
#include "mail/webmail/replies.hpp"
#include "mail/webmail/webmail.hpp"

namespace endhost::mail::webmail {

namespace {

struct ComposeForm {
  std::string to, cc, subject, body;
  std::vector<message::Attachment> files;
};

// The form's fields, or a sentence saying what is wrong with it.
Expected<ComposeForm, std::string> read_form(const Request& req, std::size_t max_files) {
  const auto boundary = web::form_data_boundary(req.fields.get("Content-Type").value_or(""));
  if (!boundary) return Unexpected(std::string("the form must be multipart/form-data"));
  web::MultipartLimits limits;
  limits.max_parts = max_files + 8;
  web::MultipartParser parser(*boundary, limits);
  ComposeForm f;
  std::string_view rest = req.body;
  std::string* target = nullptr;
  bool text_field = false;
  constexpr std::size_t kMaxField = 1024 * 1024;  // a text field (the body is the largest)
  for (;;) {
    auto step = parser.next(rest);
    if (!step) return Unexpected("the form is malformed: " + std::string(web::describe(step.error())));
    rest.remove_prefix(step->consumed);
    using K = web::MultipartStep::Kind;
    if (step->kind == K::done) break;
    if (step->kind == K::need_more) {
      if (step->consumed == 0) return Unexpected(std::string("the form ended early"));
      continue;
    }
    if (step->kind == K::part_begin) {
      const web::PartHeaders& h = parser.part();
      target = nullptr;
      text_field = !h.has_filename;
      if (h.has_filename) {
        if (h.filename.empty()) continue;  // an empty file input
        if (f.files.size() >= max_files)
          return Unexpected("at most " + std::to_string(max_files) + " attachments");
        auto name = web::safe_upload_name(h.filename);
        f.files.push_back({name ? *name : "attachment",
                           h.content_type == "application/octet-stream" ? "" : h.content_type,
                           {}});
        target = &f.files.back().data;
      } else if (h.name == "to") {
        target = &f.to;
      } else if (h.name == "cc") {
        target = &f.cc;
      } else if (h.name == "subject") {
        target = &f.subject;
      } else if (h.name == "body") {
        target = &f.body;
      }
      continue;
    }
    if (step->kind == K::data && target) {
      if (text_field && target->size() + step->data.size() > kMaxField)
        return Unexpected(std::string("a field is too long"));
      target->append(step->data);
    }
  }
  return f;
}

// "a@x, Bob <b@y>; c@z" → the mailboxes as written, and their addresses; false with a sentence when one is
// not an address.
bool split_addresses(std::string_view text, std::vector<std::string>& mailboxes,
                     std::vector<std::string>& addrs, std::string& why) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of(",;", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view one = text.substr(start, end - start);
    start = end + 1;
    while (!one.empty() && (one.front() == ' ' || one.front() == '\t')) one.remove_prefix(1);
    while (!one.empty() && (one.back() == ' ' || one.back() == '\t')) one.remove_suffix(1);
    if (one.empty()) continue;
    const std::string addr = message::envelope_address(one);
    const auto at = addr.find('@');
    const bool ok = at != std::string::npos && at > 0 && at + 1 < addr.size() &&
                    addr.find_first_of(" \t\r\n<>()[]\\,;:\"", 0) == std::string::npos && addr.size() <= 254;
    if (!ok) {
      why = "not an address: " + std::string(one);
      return false;
    }
    mailboxes.emplace_back(one);
    addrs.push_back(addr);
  }
  return true;
}

}  // namespace

awaitable<Response> Webmail::send(const Request& req, const SessionInfo& session, std::size_t loop) {
  auto form = read_form(req, config_.max_attachments);
  if (!form) co_return json_error(http::Status::bad_request, form.error());
  message::MessageSpec spec;
  std::vector<std::string> recipients;
  std::string why;
  if (!split_addresses(form->to, spec.to, recipients, why) ||
      !split_addresses(form->cc, spec.cc, recipients, why))
    co_return json_error(http::Status::bad_request, why);
  if (recipients.empty()) co_return json_error(http::Status::bad_request, "give at least one recipient");
  if (recipients.size() > backend_.max_recipients())
    co_return json_error(http::Status::bad_request,
                         "at most " + std::to_string(backend_.max_recipients()) + " recipients");
  for (const std::string& header_text : {form->subject}) {
    if (header_text.find_first_of("\r\n") != std::string::npos)
      co_return json_error(http::Status::bad_request, "the subject is one line");
  }
  const std::string address = backend_.address_of(session.user);
  std::array<std::uint8_t, 16> random{};
  core::SystemRandom rng;
  rng.fill(random);
  std::uint64_t r1 = 0, r2 = 0;
  for (int i = 0; i < 8; ++i) {
    r1 = r1 << 8 | random[static_cast<std::size_t>(i)];
    r2 = r2 << 8 | random[static_cast<std::size_t>(i + 8)];
  }
  spec.from = address;
  spec.subject = form->subject;
  spec.body = form->body;
  spec.attachments = std::move(form->files);
  spec.date = core::SystemClock().wall_now();
  spec.message_id = message::make_message_id(spec.date, r1, message::address_domain(address));
  spec.boundary = message::make_boundary(r2);
  spec.extra_headers.emplace_back("User-Agent", "endhost webmail");
  message::BuiltMessage built = message::build_message(spec);
  if (built.text.size() > backend_.max_message_size())
    co_return json_error(http::Status::content_too_large, "the message is larger than the server takes");

  Submission sub;
  sub.user = session.user;
  sub.sender = address;
  sub.recipients = recipients;
  sub.message = built.text;
  sub.smtputf8 = built.smtputf8;
  sub.peer_address = req.peer_address;
  const SubmitResult result = co_await backend_.submit(sub);
  if (!result.accepted) {
    co_return json_error(result.temporary ? http::Status::service_unavailable : http::Status::bad_request,
                         result.error.empty() ? "the message was not accepted" : result.error);
  }
  if (counters_.sent) counters_.sent->inc(1, loop);
  // The copy in Sent (RFC 6154 \Sent), read already. The message is sent whatever happens here: a failure
  // is reported beside the success, not as a failure.
  store::Store* st = &backend_.store();
  const std::string* user = &session.user;
  const std::string* text = &built.text;
  auto file = [st, user, text]() -> std::string {
    auto us = st->user(*user);
    if (!us) return us.error().message;
    auto sent = (*us)->open("Sent");
    if (!sent) return sent.error().message;
    auto uid = (*sent)->append(*text, store::Flags{store::kSeen, 0});
    return uid ? std::string() : uid.error().message;
  };
  const auto filed = co_await backend_.pool().run(file);
  std::string filed_error = !filed ? filed.error() : *filed;
  if (!filed_error.empty())
    log_.error("webmail: the Sent copy failed",
               {{"service", "mail"}, {"user", session.user}, {"error", filed_error}});
  JsonWriter j;
  j.begin_object()
      .key("id")
      .value(result.id)
      .key("recipients")
      .value(static_cast<std::uint64_t>(recipients.size()));
  j.key("filed").value(filed_error.empty()).end_object();
  co_return json_ok(j.take());
}

}  // namespace endhost::mail::webmail
