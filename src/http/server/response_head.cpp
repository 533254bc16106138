#include "http/server/response_head.hpp"

namespace endhost::web {

namespace {

// Enough for every response the server describes (a 206 has nine fields and about 300 bytes of them), so
// a pooled head never grows after its first use.
constexpr std::size_t kTypicalFields = 16;
constexpr std::size_t kTypicalArena = 512;

}  // namespace

ResponseHead::ResponseHead() {
  entries_.reserve(kTypicalFields);
  arena_.reserve(kTypicalArena);
}

void ResponseHead::reset(http::Status s) {
  status = s;
  arena_.clear();
  entries_.clear();
  content_length_ = 0;
  length_position_ = 0;
  length_ = Length::none;
}

std::string& ResponseHead::begin_field(std::string_view name) {
  const auto name_offset = static_cast<std::uint32_t>(arena_.size());
  arena_ += name;
  entries_.push_back(
      Entry{name_offset, static_cast<std::uint32_t>(name.size()), static_cast<std::uint32_t>(arena_.size())});
  return arena_;
}

void ResponseHead::add(std::string_view name, std::string_view value) {
  begin_field(name) += value;
}

void ResponseHead::set_content_length(std::uint64_t length) {
  content_length_ = length;
  length_position_ = entries_.size();
  length_ = Length::known;
}

void ResponseHead::set_streamed() {
  content_length_ = 0;
  length_position_ = entries_.size();
  length_ = Length::streamed;
}

ResponseHead::Field ResponseHead::field(std::size_t i) const noexcept {
  const Entry& e = entries_[i];
  const std::size_t end = i + 1 < entries_.size() ? entries_[i + 1].name_offset : arena_.size();
  const std::string_view arena = arena_;
  return Field{arena.substr(e.name_offset, e.name_size), arena.substr(e.value_offset, end - e.value_offset)};
}

}  // namespace endhost::web
