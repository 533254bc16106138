#include "http2/frame/frame_reader.hpp"

#include <algorithm>

#include "http2/frame/frame_decoder.hpp"

namespace endhost::http2 {
namespace {

std::uint32_t clamp_frame_size(std::uint32_t size) noexcept {
  return std::clamp(size, kDefaultMaxFrameSize, kMaxAllowedFrameSize);
}

}  // namespace

FrameReader::FrameReader(std::uint32_t max_frame_size) noexcept
    : max_frame_size_(clamp_frame_size(max_frame_size)) {}

void FrameReader::set_max_frame_size(std::uint32_t max_frame_size) noexcept {
  max_frame_size_ = clamp_frame_size(max_frame_size);
  // A lower limit lowers the bound on the buffer too, once it holds nothing anyone may still point into.
  if (buf_.empty() && buf_.capacity() > kFrameHeaderSize + max_frame_size_) std::vector<char>().swap(buf_);
}

Unexpected<FrameError> FrameReader::fail(const FrameError& error) noexcept {
  failure_ = error;
  return Unexpected(error);
}

Expected<void, FrameError> FrameReader::check_header(const FrameHeader& h) const noexcept {
  if (h.length > max_frame_size_)  // §4.2
    return Unexpected(connection_error(ErrorCode::frame_size_error,
                                       "frame larger than SETTINGS_MAX_FRAME_SIZE", h.stream_id));
  if (continuation_stream_ != 0) {  // §6.10: a field block is contiguous
    if (h.type != FrameType::continuation || h.stream_id != continuation_stream_)
      return Unexpected(connection_error(ErrorCode::protocol_error,
                                         "field block interrupted before END_HEADERS", h.stream_id));
  } else if (h.type == FrameType::continuation) {
    return Unexpected(
        connection_error(ErrorCode::protocol_error, "CONTINUATION without a field block", h.stream_id));
  }
  return {};
}

Expected<std::optional<Frame>, FrameError> FrameReader::finish(const FrameHeader& h,
                                                               std::string_view payload) {
  auto frame = decode_frame(h, payload);
  if (!frame) {
    if (frame.error().connection) return fail(frame.error());
    return Unexpected(frame.error());  // §5.4.2: the stream is reset, the connection reads on
  }
  switch (h.type) {
    case FrameType::headers:
    case FrameType::push_promise:
    case FrameType::continuation:
      continuation_stream_ = (h.flags & flags::end_headers) != 0 ? 0 : h.stream_id;
      break;
    default:
      break;
  }
  return std::optional<Frame>(std::move(*frame));
}

Expected<std::optional<Frame>, FrameError> FrameReader::next(std::string_view& input) {
  if (failure_) return Unexpected(*failure_);
  if (release_) {
    buf_.clear();
    release_ = false;
  }

  // Fast path: nothing buffered and the whole frame in `input`: decode it in place.
  if (buf_.empty() && input.size() >= kFrameHeaderSize) {
    const FrameHeader h = decode_frame_header(input);
    if (auto ok = check_header(h); !ok) return fail(ok.error());
    const std::size_t total = kFrameHeaderSize + h.length;
    if (input.size() >= total) {
      const std::string_view payload = input.substr(kFrameHeaderSize, h.length);
      input.remove_prefix(total);
      return finish(h, payload);
    }
  }

  // Slow path: assemble the frame in buf_, never more than its header and payload.
  const auto take = [&](std::size_t want) {
    const std::size_t n = std::min(want, input.size());
    buf_.insert(buf_.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(n));
    input.remove_prefix(n);
  };
  if (buf_.size() < kFrameHeaderSize) {
    if (buf_.capacity() < kFrameHeaderSize) buf_.reserve(kFrameHeaderSize);
    take(kFrameHeaderSize - buf_.size());
    if (buf_.size() < kFrameHeaderSize) return std::optional<Frame>();
    header_ = decode_frame_header(std::string_view(buf_.data(), buf_.size()));
    if (auto ok = check_header(header_); !ok) return fail(ok.error());
    buf_.reserve(kFrameHeaderSize + header_.length);
  }
  take(kFrameHeaderSize + header_.length - buf_.size());
  if (buf_.size() < kFrameHeaderSize + header_.length) return std::optional<Frame>();
  release_ = true;
  return finish(header_, std::string_view(buf_.data() + kFrameHeaderSize, header_.length));
}

}  // namespace endhost::http2
