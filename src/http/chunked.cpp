#include "http/chunked.hpp"

#include <algorithm>

#include "http/chars.hpp"

namespace endhost::http {

ChunkedDecoder::ChunkedDecoder(const Limits& limits)
    : limits_(limits), trailers_(std::make_unique<FieldView[]>(limits.max_trailer_fields)) {
  reset();
}

void ChunkedDecoder::reset() noexcept {
  trailer_count_ = 0;
  trailer_scan_.reset(false);
  body_size_ = 0;
  chunk_remaining_ = 0;
  size_digits_ = 0;
  ext_bytes_ = 0;
  state_ = State::size_first;
}

Expected<BodyStep, Error> ChunkedDecoder::fail(Errc code, Status status) noexcept {
  state_ = State::failed;
  failure_ = Error{code, status, true};
  return Unexpected(failure_);
}

namespace {
// qdtext / quoted-pair content (RFC 9110 §5.6.4), for quoted chunk-ext values.
constexpr bool qdtext(unsigned char c) {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c != 0x5c && c != 0x7f);
}
constexpr bool escapable(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}
}  // namespace

Expected<BodyStep, Error> ChunkedDecoder::decode(std::string_view buf) noexcept {
  if (state_ == State::failed) return Unexpected(failure_);
  std::size_t i = 0;
  while (i < buf.size()) {
    const char c = buf[i];
    const auto u = static_cast<unsigned char>(c);
    const bool in_ext = state_ >= State::ext_semi && state_ <= State::ext_after_quoted;
    // Extensions carry nothing we use; bound their total so a peer cannot make us chew on them forever.
    if (in_ext && ++ext_bytes_ > limits_.max_chunk_ext_bytes) return fail(Errc::bad_chunk_ext);
    switch (state_) {
      case State::size_first:
      case State::size: {
        const int v = chars::hex_value(c);
        if (v >= 0) {
          // 16 hex digits fill 64 bits; more can only overflow (RFC 9112 §7.1: recipients MUST anticipate
          // large sizes and MUST NOT overflow). Leading zeros count too: nobody sends 17 of them.
          if (++size_digits_ > 16) return fail(Errc::bad_chunk_size);
          chunk_remaining_ = chunk_remaining_ << 4 | static_cast<std::uint64_t>(v);
          state_ = State::size;
        } else if (state_ == State::size_first) {
          return fail(Errc::bad_chunk_size);
        } else if (c == '\r') {
          state_ = State::line_lf;
        } else if (c == ';') {
          state_ = State::ext_name_start;
        } else if (chars::is_ows(c)) {
          state_ = State::ext_semi;
        } else {
          return fail(Errc::bad_chunk_size);
        }
        break;
      }
      // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )  (RFC 9112 §7.1.1)
      case State::ext_semi:
        if (c == ';')
          state_ = State::ext_name_start;
        else if (!chars::is_ows(c))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_name_start:
        if (chars::is_tchar(c))
          state_ = State::ext_name;
        else if (!chars::is_ows(c))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_name:
        if (c == '\r')
          state_ = State::line_lf;
        else if (c == ';')
          state_ = State::ext_name_start;
        else if (c == '=')
          state_ = State::ext_value_start;
        else if (chars::is_ows(c))
          state_ = State::ext_after_name;
        else if (!chars::is_tchar(c))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_after_name:
        if (c == ';')
          state_ = State::ext_name_start;
        else if (c == '=')
          state_ = State::ext_value_start;
        else if (!chars::is_ows(c))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_value_start:
        if (c == '"')
          state_ = State::ext_quoted;
        else if (chars::is_tchar(c))
          state_ = State::ext_token;
        else if (!chars::is_ows(c))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_token:
        if (c == '\r')
          state_ = State::line_lf;
        else if (c == ';')
          state_ = State::ext_name_start;
        else if (chars::is_ows(c))
          state_ = State::ext_semi;
        else if (!chars::is_tchar(c))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_quoted:
        if (c == '"')
          state_ = State::ext_after_quoted;
        else if (c == '\\')
          state_ = State::ext_escape;
        else if (!qdtext(u))
          return fail(Errc::bad_chunk_ext);
        break;
      case State::ext_escape:
        if (!escapable(u)) return fail(Errc::bad_chunk_ext);
        state_ = State::ext_quoted;
        break;
      case State::ext_after_quoted:
        if (c == '\r')
          state_ = State::line_lf;
        else if (c == ';')
          state_ = State::ext_name_start;
        else if (chars::is_ows(c))
          state_ = State::ext_semi;
        else
          return fail(Errc::bad_chunk_ext);
        break;
      case State::line_lf:
        // A bare CR, or a bare LF, ends no line here: same rule as in the head (docs/internals/http.md).
        if (c != '\n') return fail(Errc::bare_cr);
        size_digits_ = 0;
        if (chunk_remaining_ == 0) {  // last-chunk: the trailer section follows
          state_ = State::trailers;
          break;
        }
        if (chunk_remaining_ > limits_.max_body_size - body_size_)
          return fail(Errc::body_too_large, Status::content_too_large);
        body_size_ += chunk_remaining_;
        state_ = State::data;
        break;
      case State::data: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunk_remaining_, buf.size() - i));
        chunk_remaining_ -= n;
        if (chunk_remaining_ == 0) state_ = State::data_cr;
        return BodyStep{i + n, buf.substr(i, n), false};
      }
      case State::data_cr:
        if (c != '\r') return fail(Errc::bad_chunk_end);
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (c != '\n') return fail(Errc::bad_chunk_end);
        state_ = State::size_first;
        break;
      case State::trailers: {
        auto step = read_trailers(buf.substr(i));
        if (!step) return step;
        step->consumed += i;
        return step;
      }
      case State::done:
        return BodyStep{i, {}, true};
      case State::failed:
        return Unexpected(Error{Errc::bad_chunk_size, Status::bad_request, true});
    }
    ++i;
  }
  return BodyStep{i, {}, state_ == State::done};
}

Expected<BodyStep, Error> ChunkedDecoder::read_trailers(std::string_view buf) noexcept {
  // trailer-section = *( field-line CRLF ) CRLF (RFC 9112 §7.1.2). The common case is no trailers at all.
  const detail::BlockScanLimits limits{0, limits_.max_trailer_bytes, Errc::bad_trailer, false};
  auto end = trailer_scan_.scan(buf, limits);
  if (!end) return fail(end.error());
  if (*end == 0) return BodyStep{0, {}, false};
  auto count = detail::parse_field_lines(buf.substr(0, *end), trailers_.get(), limits_.max_trailer_fields,
                                         Errc::bad_trailer);
  if (!count) return fail(count.error());
  trailer_count_ = *count;
  state_ = State::done;
  return BodyStep{*end, {}, true};
}

}  // namespace endhost::http
