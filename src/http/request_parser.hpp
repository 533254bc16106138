// RequestParser: the server's incremental, allocation-free HTTP/1.x request parser (RFC 9112 syntax, RFC 9110
// semantics). Bytes in, "need more / complete head (N bytes) / body span / error" out; no I/O, no clock.
//
// Buffer contract (as picohttpparser): the session owns one contiguous receive buffer.
//  * parse_head(buf): `buf` starts at the first unconsumed byte. While it returns need_more, consume nothing
//    and call again with the same bytes plus whatever arrived (the buffer may move; the parser keeps offsets,
//    so a head that trickles in a byte at a time is still scanned once).
//  * On complete, head() is a *borrowed* view: method, target, field names and values are string_views into
//    buf[0, consumed). They stay valid until the caller overwrites or frees those bytes, or calls reset() or
//    parse_head() again. Call head().to_owned() to keep a copy.
//  * Then parse_body() with the bytes after the head until a step says done (see BodyStep); the caller may
//    also read Content-Length bodies itself: head().framing.length bytes follow.
//  * reset() before the next request on the connection (pipelined bytes stay in the caller's buffer).
// The parser allocates its field array once, in the constructor; parsing never allocates.
//
// Errors: an Error says which status to answer and whether the connection must close. When must_close is
// false (Host and Expect problems, found after the framing was known) head() is valid, head_size() bytes
// are the head, and parse_body() can drain the body so the connection can carry the next request.
// After an error with must_close, every further call returns the same error until reset().
// A valid request with a method we do not know parses fine: head().method_id == Method::unknown → answer 501.
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

// The four request-target forms (RFC 9112 §3.2).
enum class TargetForm : std::uint8_t {
  origin,     // /path?query — every method but CONNECT and OPTIONS *
  absolute,   // http://host/path — to proxies (and servers MUST accept it, §3.2.2)
  authority,  // host:port — CONNECT only
  asterisk,   // * — OPTIONS only
};

// A parsed request head. All string_views borrow the caller's buffer (see the contract above).
struct RequestHead {
  std::string_view method;  // as sent, case-sensitive
  Method method_id = Method::unknown;
  std::string_view target;
  TargetForm target_form = TargetForm::origin;
  Version version;
  FieldsView fields;
  // The Host value; "" when absent (allowed in HTTP/1.0). With an absolute-form target, the target's
  // authority wins over Host (RFC 9112 §3.2.2): a server routes on that, not on this.
  std::string_view host;
  std::string_view scheme;       // HTTP/2's :scheme (RFC 9113 §8.3.1); empty in HTTP/1.1
  Framing framing;               // none, length or chunked
  bool keep_alive = true;        // RFC 9112 §9.3: 1.1 unless "Connection: close", 1.0 only with keep-alive
  bool expect_continue = false;  // "Expect: 100-continue" in HTTP/1.1: send 100 before reading the body

  // An owned copy (body left empty: the body is streamed separately).
  Request to_owned() const;
};

class RequestParser {
 public:
  explicit RequestParser(const Limits& limits = {});

  Expected<HeadStep, Error> parse_head(std::string_view buf) noexcept;
  // The head; valid after parse_head() returned complete, or an Error with must_close == false.
  const RequestHead& head() const noexcept { return head_; }
  // Bytes of the head in the buffer, including empty lines skipped before the request-line.
  std::size_t head_size() const noexcept { return head_size_; }

  // Body bytes after the head. Returns done at once for requests without a body.
  Expected<BodyStep, Error> parse_body(std::string_view buf) noexcept;
  // Trailer fields of a chunked body, once done(); they borrow the buffer given to the last parse_body().
  FieldsView trailers() const noexcept { return body_.trailers(); }

  bool head_done() const noexcept { return state_ == State::body || state_ == State::done; }
  bool done() const noexcept { return state_ == State::done; }
  // Ready for the next request on the same connection. Keeps the field storage.
  void reset() noexcept;
  const Limits& limits() const noexcept { return limits_; }

 private:
  enum class State : std::uint8_t { head, body, done, failed };

  Unexpected<Error> fail(Errc code, bool must_close = true) noexcept;
  Expected<void, Errc> parse_request_line(std::string_view line) noexcept;
  static bool starts_with_tls_record(std::string_view buf) noexcept;
  Expected<void, Errc> check_partial_start(std::string_view buf) noexcept;
  Expected<void, Error> interpret_fields() noexcept;

  Limits limits_;
  std::unique_ptr<FieldView[]> fields_;
  detail::BlockScanner scanner_;
  RequestHead head_;
  std::size_t head_size_ = 0;
  bool start_line_checked_ = false;  // a complete request line of an incomplete head was checked
  BodyReader body_;
  Error failure_{};  // returned again by every call once failed
  State state_ = State::head;
};

}  // namespace endhost::http
