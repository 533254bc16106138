#include "core/line_reader.hpp"

namespace endhost::core {

void LineReader::feed(std::string_view bytes) {
  // Compact lazily: only when the consumed prefix is the larger part, so each byte moves O(1) times.
  if (start_ > 0 && start_ >= buf_.size() / 2) {
    buf_.erase(0, start_);  // scan_ counts from start_, so it stays valid
    start_ = 0;
  }
  buf_.append(bytes);
}

LineReader::Status LineReader::next(std::string_view& line) {
  std::string_view pending(buf_.data() + start_, buf_.size() - start_);
  std::size_t lf = pending.find('\n', scan_);
  if (lf == std::string_view::npos) {
    scan_ = pending.size();
    if (pending.size() > max_line_ + 1) {  // +1: a CR waiting for its LF
      buf_.clear();
      start_ = scan_ = 0;
      return Status::TooLong;
    }
    return Status::NeedMore;
  }
  std::size_t len = lf;
  if (len > 0 && pending[len - 1] == '\r') --len;
  if (len > max_line_) {
    start_ += lf + 1;
    scan_ = 0;
    return Status::TooLong;
  }
  line = pending.substr(0, len);
  start_ += lf + 1;
  scan_ = 0;
  return Status::Line;
}

std::string_view LineReader::take_rest() {
  std::string_view rest(buf_.data() + start_, buf_.size() - start_);
  start_ = buf_.size();
  scan_ = 0;
  return rest;
}

}  // namespace endhost::core
