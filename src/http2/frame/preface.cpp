#include "http2/frame/preface.hpp"

#include <algorithm>

namespace endhost::http2 {

PrefaceMatch match_preface(std::string_view bytes) noexcept {
  const std::size_t n = std::min(bytes.size(), kClientPreface.size());
  if (bytes.substr(0, n) != kClientPreface.substr(0, n)) return PrefaceMatch::mismatch;
  return n == kClientPreface.size() ? PrefaceMatch::complete : PrefaceMatch::partial;
}

Expected<bool, FrameError> PrefaceReader::consume(std::string_view& input) noexcept {
  constexpr FrameError kMismatch = connection_error(ErrorCode::protocol_error, "invalid connection preface");
  if (failed_) return Unexpected(kMismatch);
  const std::size_t n = std::min(input.size(), kClientPreface.size() - matched_);
  if (input.substr(0, n) != kClientPreface.substr(matched_, n)) {
    failed_ = true;
    return Unexpected(kMismatch);
  }
  matched_ += n;
  input.remove_prefix(n);
  return done();
}

}  // namespace endhost::http2
