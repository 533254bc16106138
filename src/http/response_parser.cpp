#include "http/response_parser.hpp"

#include "http/chars.hpp"
#include "http/field_value.hpp"

namespace endhost::http {

Response ResponseHead::to_owned() const {
  return Response{status, std::string(reason), version, Fields(fields), {}};
}

ResponseParser::ResponseParser(const Limits& limits, Method request_method)
    : limits_(limits), fields_(std::make_unique<FieldView[]>(limits.max_fields)), body_(limits) {
  reset(request_method);
}

void ResponseParser::reset(Method request_method) noexcept {
  scanner_.reset(true);
  head_ = ResponseHead{};
  body_.start(Framing{});
  request_method_ = request_method;
  state_ = State::head;
}

Unexpected<Error> ResponseParser::fail(Errc code) noexcept {
  if (state_ != State::failed) failure_ = make_error(code, Status::bad_gateway, true);
  state_ = State::failed;
  head_.keep_alive = false;
  return Unexpected(failure_);
}

Expected<HeadStep, Error> ResponseParser::parse_head(std::string_view buf) noexcept {
  if (state_ != State::head) return fail(Errc::bad_status_line);
  const detail::BlockScanLimits scan_limits{limits_.max_start_line, limits_.max_head_bytes,
                                            Errc::head_too_large, false};
  auto end = scanner_.scan(buf, scan_limits);
  if (!end) return fail(end.error() == Errc::bad_request_line ? Errc::bad_status_line : end.error());
  if (*end == 0) return HeadStep{Progress::need_more, 0};

  const std::string_view head = buf.substr(0, *end);
  const std::size_t line_end = head.find('\n') - 1;
  if (auto ok = parse_status_line(head.substr(0, line_end)); !ok) return fail(ok.error());
  auto count = detail::parse_field_lines(head.substr(line_end + 2), fields_.get(), limits_.max_fields,
                                         Errc::too_many_fields);
  if (!count) return fail(count.error());
  head_.fields = FieldsView({fields_.get(), *count});
  if (auto ok = decide_framing(); !ok) return fail(ok.error());
  body_.start(head_.framing);
  state_ = body_.done() ? State::done : State::body;
  return HeadStep{Progress::complete, *end};
}

Expected<void, Errc> ResponseParser::parse_status_line(std::string_view line) noexcept {
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4). We also accept a missing
  // final SP when the reason is empty ("HTTP/1.1 204"): common, and it cannot change the framing.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !chars::is_digit(line[5]) || line[6] != '.' ||
      !chars::is_digit(line[7]))
    return Unexpected(line.size() >= 5 && line.substr(0, 5) == "HTTP/" ? Errc::bad_version
                                                                       : Errc::bad_status_line);
  head_.version = Version{static_cast<std::uint8_t>(line[5] - '0'), static_cast<std::uint8_t>(line[7] - '0')};
  if (head_.version.major != 1) return Unexpected(Errc::unsupported_version);
  if (line[8] != ' ' || !chars::is_digit(line[9]) || !chars::is_digit(line[10]) || !chars::is_digit(line[11]))
    return Unexpected(Errc::bad_status_line);
  const int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  // RFC 9110 §15: values outside 100..599 are invalid, but servers use 600..999 (and a client "SHOULD process
  // the response as if it had a 5xx"): those are kept, for the caller to treat as a 5xx; below 100 is not a
  // status at all.
  if (code < 100) return Unexpected(Errc::bad_status_line);
  head_.status = static_cast<Status>(code);
  if (line.size() > 12) {
    if (line[12] != ' ') return Unexpected(Errc::bad_status_line);
    head_.reason = line.substr(13);
    for (char c : head_.reason)
      if (!chars::reason[static_cast<unsigned char>(c)]) return Unexpected(Errc::bad_status_line);
  }
  return {};
}

Expected<void, Errc> ResponseParser::decide_framing() noexcept {
  bool has_te = false, has_cl = false, close = false, keep_alive = false;
  for (const FieldView& f : head_.fields) {
    switch (f.name.size()) {
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

  // RFC 9112 §6.3, in its order.
  const unsigned code = to_int(head_.status);
  if (code == 101 || (request_method_ == Method::connect && code / 100 == 2)) {
    // Items 1-2: the connection now carries another protocol (Upgrade) or a tunnel.
    head_.framing = Framing{BodyKind::tunnel, 0};
    head_.keep_alive = false;
    return {};
  }
  if (request_method_ == Method::head || code / 100 == 1 || code == 204 || code == 304) {
    head_.framing = Framing{BodyKind::none, 0};  // item 1: no content, whatever the fields say
    return {};
  }
  if (has_te) {
    // §6.1: TE in an HTTP/1.0 message is faulty framing. TE with CL: item 3 says TE wins but "ought to be
    // handled as an error"; a proxy that guessed would forward a desynchronized stream, so we refuse.
    if (head_.version < http11) return Unexpected(Errc::te_in_http10);
    if (has_cl) return Unexpected(Errc::te_and_cl);
    const TransferCodings tc = transfer_codings(head_.fields);
    if (tc.empty || tc.chunked_twice) return Unexpected(Errc::bad_transfer_encoding);
    if (tc.chunked_final) {
      head_.framing = Framing{BodyKind::chunked, 0};
    } else {
      head_.framing = Framing{BodyKind::until_close, 0};  // item 4: read until the server closes
      head_.keep_alive = false;
    }
    return {};
  }
  if (has_cl) {
    auto length = content_length(head_.fields);
    if (!length) return Unexpected(length.error());  // item 5: invalid → unrecoverable error
    if (**length > limits_.max_body_size) return Unexpected(Errc::body_too_large);
    head_.framing = Framing{BodyKind::length, **length};
    return {};
  }
  head_.framing = Framing{BodyKind::until_close, 0};  // item 8
  head_.keep_alive = false;
  return {};
}

Expected<BodyStep, Error> ResponseParser::parse_body(std::string_view buf) noexcept {
  if (state_ == State::done) return BodyStep{0, {}, true};
  if (state_ != State::body) return fail(Errc::bad_status_line);
  auto step = body_.read(buf);
  if (!step) return fail(step.error().code);
  if (step->done) state_ = State::done;
  return step;
}

Expected<void, Error> ResponseParser::on_eof() noexcept {
  if (state_ == State::done) return {};
  if (state_ == State::body) {
    if (auto ok = body_.on_eof(); !ok) return fail(ok.error().code);
    state_ = State::done;
    return {};
  }
  return fail(Errc::unexpected_eof);
}

}  // namespace endhost::http
