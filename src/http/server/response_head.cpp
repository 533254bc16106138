#include "http/server/response_head.hpp"

#include <algorithm>

namespace endhost::web {

namespace {

// Enough for every response the server describes (a 206 has nine fields and about 300 bytes of them), so
// a pooled head never grows after its first use.
constexpr std::size_t kTypicalFields = 16;
constexpr std::size_t kTypicalArena = 512;

}  // namespace

ResponseHead::ResponseHead() {
  entries_.reserve(kTypicalFields);
  lines_.resize(kTypicalArena);
}

void ResponseHead::reset(http::Status s) {
  status = s;
  used_ = 0;
  entries_.clear();
  content_length_ = 0;
  length_position_ = 0;
  length_offset_ = 0;
  length_ = Length::none;
}

void ResponseHead::grow(std::size_t at_least) {
  lines_.resize(std::max(lines_.size() * 2, at_least));
}

void ResponseHead::set_content_length(std::uint64_t length) {
  content_length_ = length;
  length_position_ = entries_.size();
  length_offset_ = used_;
  length_ = Length::known;
}

void ResponseHead::set_streamed() {
  content_length_ = 0;
  length_position_ = entries_.size();
  length_offset_ = used_;
  length_ = Length::streamed;
}

}  // namespace endhost::web
