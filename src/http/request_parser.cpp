#include "http/request_parser.hpp"

#include <cassert>

#include "http/chars.hpp"
#include "http/field_value.hpp"

namespace endhost::http {

Request RequestHead::to_owned() const {
  return Request{std::string(method), std::string(target), version, Fields(fields), {}};
}

RequestParser::RequestParser(const Limits& limits)
    : limits_(limits), fields_(std::make_unique<FieldView[]>(limits.max_fields)), body_(limits) {
  reset();
}

void RequestParser::reset() noexcept {
  scanner_.reset(true);
  head_ = RequestHead{};
  head_size_ = 0;
  start_line_checked_ = false;
  body_.start(Framing{});
  state_ = State::head;
}

Unexpected<Error> RequestParser::fail(Errc code, bool must_close) noexcept {
  const Error error = make_error(code, default_status(code), must_close);
  if (must_close) {
    state_ = State::failed;
    failure_ = error;
  }
  head_.keep_alive = head_.keep_alive && !must_close;
  return Unexpected(error);
}

Expected<HeadStep, Error> RequestParser::parse_head(std::string_view buf) noexcept {
  if (state_ == State::failed) return Unexpected(failure_);
  assert(state_ == State::head && "parse_head() after the head: call reset() first");
  if (state_ != State::head) return fail(Errc::bad_request_line);
  const detail::BlockScanLimits scan_limits{limits_.max_start_line, limits_.max_head_bytes,
                                            Errc::head_too_large, true};
  // Judged before the scan: a ClientHello's random bytes may hold an LF, a NUL or even a whole "head",
  // which the scanner would refuse or accept first; the record's first byte says what the peer is, and it
  // must be closed, not sent a 400 it cannot read.
  if (starts_with_tls_record(buf)) return fail(Errc::tls_on_plain_port);
  auto end = scanner_.scan(buf, scan_limits);
  if (!end) return fail(end.error());
  if (*end == 0) {
    // A head that is still arriving: a request line that can never become valid (TLS bytes, HTTP/0.9) is
    // answered now rather than after the header timeout. A head that arrives whole never comes here.
    if (auto ok = check_partial_start(buf); !ok) return fail(ok.error());
    return HeadStep{Progress::need_more, 0};
  }

  const std::string_view head = buf.substr(scanner_.first_line, *end - scanner_.first_line);
  const std::size_t line_end = head.find('\n') - 1;  // scan() guaranteed a CRLF-terminated start line
  if (auto ok = parse_request_line(head.substr(0, line_end)); !ok) return fail(ok.error());
  auto count = detail::parse_field_lines(head.substr(line_end + 2), fields_.get(), limits_.max_fields,
                                         Errc::too_many_fields);
  if (!count) return fail(count.error());
  head_.fields = FieldsView({fields_.get(), *count});
  head_size_ = *end;
  if (auto ok = interpret_fields(); !ok) return Unexpected(ok.error());
  return HeadStep{Progress::complete, *end};
}

bool RequestParser::starts_with_tls_record(std::string_view buf) noexcept {
  // A TLS handshake record starts with content type 22 (RFC 8446 §5.1), never a method's first byte: the
  // client thinks this port speaks TLS. It sends no empty line first, so the buffer's first byte decides.
  return !buf.empty() && buf.front() == '\x16';
}

Expected<void, Errc> RequestParser::check_partial_start(std::string_view buf) noexcept {
  if (scanner_.first_line >= buf.size()) return {};
  const std::string_view line = buf.substr(scanner_.first_line);
  if (!scanner_.in_first_line) {
    if (start_line_checked_) return {};
    start_line_checked_ = true;
    return parse_request_line(line.substr(0, line.find("\r\n")));
  }
  // Still inside the request line: the method so far must be a token.
  for (char c : line) {
    if (c == ' ') break;
    if (c == '\r') continue;  // the line's CR; the LF decides
    if (!chars::is_tchar(c)) return Unexpected(Errc::bad_method);
  }
  return {};
}

Expected<void, Errc> RequestParser::parse_request_line(std::string_view line) noexcept {
  if (line.find('\r') != std::string_view::npos) return Unexpected(Errc::bare_cr);
  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3). Exactly one SP each: the lenient
  // "any whitespace" parsing §3 permits is one more way for two parsers to disagree.
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return Unexpected(Errc::bad_request_line);
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  // "GET /path" alone is an HTTP/0.9 simple request (RFC 1945 §4.1): refused as one, not waited on.
  if (sp2 == std::string_view::npos && sp1 + 1 < line.size() && line[sp1 + 1] == '/')
    return Unexpected(Errc::http09_request);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return Unexpected(Errc::bad_request_line);

  head_.method = line.substr(0, sp1);
  if (!chars::is_token(head_.method)) return Unexpected(Errc::bad_method);
  head_.method_id = method_from_token(head_.method);

  // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). A well-formed version with a major other than 1
  // is a version we do not speak (505); anything else is a syntax error (400).
  const std::string_view v = line.substr(sp2 + 1);
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !chars::is_digit(v[5]) || v[6] != '.' ||
      !chars::is_digit(v[7]))
    return Unexpected(v.find(' ') != std::string_view::npos ? Errc::bad_request_line : Errc::bad_version);
  head_.version = Version{static_cast<std::uint8_t>(v[5] - '0'), static_cast<std::uint8_t>(v[7] - '0')};
  if (head_.version.major != 1) return Unexpected(Errc::unsupported_version);

  const std::string_view t = line.substr(sp1 + 1, sp2 - sp1 - 1);
  head_.target = t;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!chars::target[static_cast<unsigned char>(t[i])]) return Unexpected(Errc::bad_target);
    // pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §2.1): a broken escape decodes differently in every library.
    if (t[i] == '%' &&
        (i + 2 >= t.size() || chars::hex_value(t[i + 1]) < 0 || chars::hex_value(t[i + 2]) < 0))
      return Unexpected(Errc::bad_target);
  }
  // RFC 9112 §3.2: which form is allowed depends on the method.
  if (t == "*") {
    head_.target_form = TargetForm::asterisk;
    if (head_.method_id != Method::options) return Unexpected(Errc::bad_target);
  } else if (head_.method_id == Method::connect) {
    head_.target_form = TargetForm::authority;  // §3.2.3: uri-host ":" port, nothing else
    if (!detail::valid_host(t, true)) return Unexpected(Errc::bad_target);
  } else if (t.front() == '/') {
    head_.target_form = TargetForm::origin;
  } else {
    // absolute-form: scheme "://" … (RFC 3986 §3.1; http(s) URIs always have an authority, RFC 9110 §4.2).
    head_.target_form = TargetForm::absolute;
    const std::size_t colon = t.find("://");
    if (colon == std::string_view::npos || colon == 0 || !((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z'))
      return Unexpected(Errc::bad_target);
    for (char c : t.substr(0, colon)) {
      const bool alnum = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || chars::is_digit(c);
      if (!alnum && c != '+' && c != '-' && c != '.') return Unexpected(Errc::bad_target);
    }
    const std::string_view rest = t.substr(colon + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    // RFC 9110 §4.2.4: userinfo in an http(s) URI is deprecated and a recipient SHOULD treat it as an
    // error; it is mostly used to make "http://bank.example@evil.test/" look like the bank.
    if (authority.find('@') != std::string_view::npos) return Unexpected(Errc::userinfo_in_target);
    // RFC 9110 §4.2.1: an empty host is invalid; the host is what the target's authority routes on.
    if (authority.empty() || authority.front() == ':' || !detail::valid_host(authority, false))
      return Unexpected(Errc::bad_target);
  }
  return {};
}

Expected<void, Error> RequestParser::interpret_fields() noexcept {
  std::size_t hosts = 0;
  bool has_te = false, has_cl = false, close = false, keep_alive = false, unknown_expect = false;
  for (const FieldView& f : head_.fields) {
    // Dispatch on name length so the common fields cost one compare (most have none of these lengths).
    switch (f.name.size()) {
      case 4:
        if (iequals(f.name, "host")) ++hosts, head_.host = f.value;
        break;
      case 6:
        if (iequals(f.name, "expect")) {
          // RFC 9110 §10.1.1: 100-continue is the only expectation; a 1.0 client cannot mean it.
          if (iequals(f.value, "100-continue"))
            head_.expect_continue = head_.version >= http11;
          else
            unknown_expect = true;
        }
        break;
      case 10:
        if (iequals(f.name, "connection")) {
          close = close || list_contains_token(f.value, "close");
          keep_alive = keep_alive || list_contains_token(f.value, "keep-alive");
        }
        break;
      case 14:
        has_cl = has_cl || iequals(f.name, "content-length");
        break;
      case 17:
        has_te = has_te || iequals(f.name, "transfer-encoding");
        break;
      default:
        break;
    }
  }
  head_.keep_alive = !close && (head_.version >= http11 || keep_alive);

  // Framing, RFC 9112 §6. Every failure here closes: once two parsers could disagree about where this body
  // ends, nothing after it on the connection can be trusted.
  if (has_te) {
    // §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing (a 1.0 front end would ignore it).
    if (head_.version < http11) return fail(Errc::te_in_http10);
    // §6.1: "A server MAY reject a request that contains both … and MUST close the connection after".
    if (has_cl) return fail(Errc::te_and_cl);
    const TransferCodings tc = transfer_codings(head_.fields);
    // §6.3 item 4: in a request, chunked must be the final coding, and (§7) never applied twice.
    if (tc.empty || tc.chunked_twice || !tc.chunked_final) return fail(Errc::bad_transfer_encoding);
    // §6.1: a transfer coding we do not implement (gzip, chunked) → 501.
    if (tc.other_codings) return fail(Errc::unknown_transfer_coding);
    head_.framing = Framing{BodyKind::chunked, 0};
  } else if (has_cl) {
    auto length = content_length(head_.fields);
    if (!length) return fail(length.error());
    // RFC 9110 §15.5.14: refuse a body we would not read before reading it.
    if (**length > limits_.max_body_size) return fail(Errc::body_too_large);
    head_.framing = Framing{BodyKind::length, **length};
  }
  body_.start(head_.framing);
  state_ = body_.done() ? State::done : State::body;

  // Semantic checks: the framing is known, so these answer without closing and the body can be drained.
  // RFC 9112 §3.2: 400 for a 1.1 request without Host, and for any request with two or an invalid one.
  if (hosts > 1) return fail(Errc::duplicate_host, false);
  if (hosts == 0 && head_.version >= http11) return fail(Errc::missing_host, false);
  if (hosts == 1 && !detail::valid_host(head_.host, false)) return fail(Errc::bad_host, false);
  if (unknown_expect) return fail(Errc::expectation_failed, false);
  return {};
}

Expected<BodyStep, Error> RequestParser::parse_body(std::string_view buf) noexcept {
  if (state_ == State::done) return BodyStep{0, {}, true};
  if (state_ == State::failed) return Unexpected(failure_);
  if (state_ != State::body) return fail(Errc::bad_request_line);
  auto step = body_.read(buf);
  if (!step) {
    state_ = State::failed;
    failure_ = step.error();
    head_.keep_alive = false;
    return step;
  }
  if (step->done) state_ = State::done;
  return step;
}

}  // namespace endhost::http
