// ResponseParser: the client's and proxy's incremental HTTP/1.x response parser. Same buffer contract as
// RequestParser (request_parser.hpp): head() borrows buf[0, consumed) until those bytes change or reset();
// parse_body() yields views of body bytes; no allocation after construction, no I/O.
//
// Framing depends on the request (RFC 9112 §6.3), so call reset(method) before each response with the method
// of the request it answers. After an interim 1xx response (done() at once, no body) call reset(method) again
// for the final one. A body framed "until close" completes only through on_eof().
//
// Errors carry Status::bad_gateway: what a proxy answers downstream. Every error closes the connection to the
// server (RFC 9112 §6.3: a client MUST close when the response framing is invalid).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/expected.hpp"
#include "http/body.hpp"
#include "http/error.hpp"
#include "http/fields.hpp"
#include "http/head_scan.hpp"
#include "http/limits.hpp"
#include "http/message.hpp"
#include "http/method.hpp"
#include "http/step.hpp"

namespace endhost::http {

// A parsed response head. string_views borrow the caller's buffer.
struct ResponseHead {
  Version version;
  Status status = Status::ok;
  std::string_view reason;
  FieldsView fields;
  Framing framing;
  // RFC 9112 §9.3: the connection can carry another request after this response (never after a body read
  // until close, nor after a tunnel was opened).
  bool keep_alive = true;

  Response to_owned() const;  // body left empty
};

class ResponseParser {
 public:
  // Limits::for_responses(): no body cap by default (a proxy streams), the same head limits as requests.
  explicit ResponseParser(const Limits& limits = Limits::for_responses(),
                          Method request_method = Method::get);

  // Ready for the response to a request with `request_method`. Keeps the field storage.
  void reset(Method request_method = Method::get) noexcept;

  Expected<HeadStep, Error> parse_head(std::string_view buf) noexcept;
  const ResponseHead& head() const noexcept { return head_; }

  Expected<BodyStep, Error> parse_body(std::string_view buf) noexcept;
  // The server closed the connection. Completes a body read until close; an error inside any other body.
  Expected<void, Error> on_eof() noexcept;
  FieldsView trailers() const noexcept { return body_.trailers(); }

  bool head_done() const noexcept { return state_ == State::body || state_ == State::done; }
  bool done() const noexcept { return state_ == State::done; }

 private:
  enum class State : std::uint8_t { head, body, done, failed };

  Unexpected<Error> fail(Errc code) noexcept;
  Expected<void, Errc> parse_status_line(std::string_view line) noexcept;
  Expected<void, Errc> decide_framing() noexcept;

  Limits limits_;
  std::unique_ptr<FieldView[]> fields_;
  detail::BlockScanner scanner_;
  ResponseHead head_;
  BodyReader body_;
  Method request_method_ = Method::get;
  Error failure_{};  // returned again by every call once failed
  State state_ = State::head;
};

}  // namespace endhost::http
