// Entity tags for files (RFC 9110 §8.8.3) and the comparisons the conditional fields use (§8.8.3.2).
// A file's tag is strong: it is built from the inode, the size and the modification time in nanoseconds, so
// any write (or an atomic replace, which brings a new inode) gives a new tag.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace endhost::web {

// `"<inode>-<mtime ns>-<size>"` in lower-case hex, quotes included. Fixed storage: no allocation.
class ETag {
 public:
  ETag() = default;
  ETag(std::uint64_t inode, std::int64_t mtime_ns, std::uint64_t size) noexcept;
  // A tag given as text (at most 64 bytes; longer text gives an empty tag).
  static ETag from_text(std::string_view text) noexcept;

  std::string_view view() const noexcept { return {text_.data(), size_}; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  std::array<char, 64> text_{};
  std::size_t size_ = 0;
};

// The tag of a derived representation (on-the-fly gzip): the same opaque-tag with a suffix, marked weak
// because compressing again need not give the same bytes: W/"…-gzip".
ETag derived_weak_etag(std::string_view strong, std::string_view suffix) noexcept;

// An entity-tag as found in a field value: `"x"` or `W/"x"`. opaque includes the quotes.
struct EntityTag {
  bool weak = false;
  std::string_view opaque;
};
// Parses one list element; false when it is not a valid entity-tag (RFC 9110 §8.8.3: etagc is %x21 / %x23-7E
// / obs-text).
bool parse_entity_tag(std::string_view element, EntityTag& out) noexcept;

// §8.8.3.2: strong comparison — both strong and the same opaque-tag; weak — the same opaque-tag.
bool strong_match(const EntityTag& a, const EntityTag& b) noexcept;
bool weak_match(const EntityTag& a, const EntityTag& b) noexcept;

}  // namespace endhost::web
