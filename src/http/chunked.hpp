// ChunkedDecoder: an incremental, zero-copy decoder of the chunked transfer coding (RFC 9112 §7.1). It never
// copies body bytes: each step returns a view of chunk data inside the buffer it was given. Used by both
// parsers; usable alone (a fuzz target does).
//
// Contract: call decode() with the unconsumed bytes of the stream; drop `consumed` bytes from the front
// before the next call. `data` lies inside those consumed bytes and stays valid while the caller keeps them.
// Only the trailer section must arrive whole in one buffer (up to Limits::max_trailer_bytes); until it has,
// decode() consumes nothing and the caller must present the same bytes again plus more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/expected.hpp"
#include "http/error.hpp"
#include "http/fields.hpp"
#include "http/head_scan.hpp"
#include "http/limits.hpp"
#include "http/step.hpp"

namespace endhost::http {

class ChunkedDecoder {
 public:
  // Allocates the trailer field array (Limits::max_trailer_fields) once; decode() never allocates.
  explicit ChunkedDecoder(const Limits& limits = {});

  // Ready for a new body; keeps the storage.
  void reset() noexcept;
  // Decodes from `buf` up to the end of one span of chunk data (or to the end of the body). An error leaves
  // the decoder failed: the stream's framing is lost and the connection must close.
  Expected<BodyStep, Error> decode(std::string_view buf) noexcept;

  bool done() const noexcept { return state_ == State::done; }
  // Decoded body bytes so far (the sum of chunk sizes).
  std::uint64_t body_size() const noexcept { return body_size_; }
  // The trailer fields, once done(). They point into the buffer passed to the final decode() call and stay
  // valid while the caller keeps those bytes unchanged.
  FieldsView trailers() const noexcept { return FieldsView({trailers_.get(), trailer_count_}); }

 private:
  enum class State : std::uint8_t {
    size_first,      // expecting the first hex digit of chunk-size
    size,            // more hex digits
    ext_semi,        // BWS before ";"
    ext_name_start,  // BWS before chunk-ext-name
    ext_name,
    ext_after_name,   // BWS before "="
    ext_value_start,  // BWS after "="
    ext_token,
    ext_quoted,
    ext_escape,
    ext_after_quoted,
    line_lf,  // CR seen at the end of the chunk-size line
    data,
    data_cr,
    data_lf,
    trailers,
    done,
    failed,
  };

  Expected<BodyStep, Error> fail(Errc code, Status status = Status::bad_request) noexcept;
  Expected<BodyStep, Error> read_trailers(std::string_view buf) noexcept;

  Limits limits_;
  std::unique_ptr<FieldView[]> trailers_;
  std::size_t trailer_count_ = 0;
  detail::BlockScanner trailer_scan_;
  std::uint64_t body_size_ = 0;
  std::uint64_t chunk_remaining_ = 0;
  std::size_t size_digits_ = 0;
  std::size_t ext_bytes_ = 0;
  Error failure_{};
  State state_ = State::size_first;
};

}  // namespace endhost::http
