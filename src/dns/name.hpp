// Domain names in uncompressed wire form (RFC 1035 §3.1): a sequence of length-prefixed labels ending in the
// root label. NameView borrows such bytes (the caller keeps them alive and guarantees they are a valid name:
// every Name and every name inside stored RDATA is); Name owns them inline, so building, copying and
// comparing names never allocates. Comparison and hashing are ASCII case-insensitive (RFC 4343).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "dns/error.hpp"
#include "dns/limits.hpp"

namespace endhost::dns {

class Name;

// ASCII-only lower-casing, as DNS requires (RFC 4343 §3): bytes >= 0x80 are never folded.
constexpr std::uint8_t ascii_lower(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

class NameView {
 public:
  // The root name.
  constexpr NameView() = default;
  // Precondition: data[0..size) is a valid uncompressed wire name (labels ≤ 63, total ≤ 255, ends in 0).
  constexpr NameView(const std::uint8_t* data, std::size_t size)
      : data_(data), size_(static_cast<std::uint8_t>(size)) {}

  std::span<const std::uint8_t> wire() const { return {data_, size_}; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }  // wire octets including the root label
  bool is_root() const { return size_ <= 1; }
  std::size_t label_count() const;  // not counting the root label
  // The first label's octets (empty for the root).
  std::span<const std::uint8_t> first_label() const {
    return is_root() ? std::span<const std::uint8_t>{} : std::span<const std::uint8_t>{data_ + 1, data_[0]};
  }
  // RFC 4592 §2.1.1: a wildcard's first label is exactly "*".
  bool is_wildcard() const { return size_ >= 3 && data_[0] == 1 && data_[1] == '*'; }
  // The name without its first label. Precondition: !is_root().
  NameView parent() const { return {data_ + 1 + data_[0], static_cast<std::size_t>(size_ - 1 - data_[0])}; }
  // The name keeping only its last `labels` labels. Precondition: labels <= label_count().
  NameView suffix(std::size_t labels) const;
  // True if this name is `ancestor` or below it (label-wise, case-insensitive).
  bool is_subdomain_of(NameView ancestor) const;

  std::string to_string() const;  // presentation form, always absolute ("." for the root)
  std::size_t hash() const;       // case-insensitive

  friend bool operator==(NameView a, NameView b);
  // RFC 4034 §6.1 canonical order: compare label by label from the root, each label as lower-cased octets.
  friend std::strong_ordering canonical_compare(NameView a, NameView b);

 private:
  static constexpr std::uint8_t kRoot[1] = {0};
  const std::uint8_t* data_ = kRoot;
  std::uint8_t size_ = 1;
};

class Name {
 public:
  Name() { buf_[0] = 0; }  // the root
  // Copies a valid view.
  explicit Name(NameView v);

  // Presentation form (RFC 1035 §5.1): labels separated by dots, `\X` quotes a character and `\DDD` gives an
  // octet in decimal. A name without a trailing dot is relative and gets `origin` appended. "@" is a
  // master-file convention and is not handled here.
  static Result<Name> from_string(std::string_view text, NameView origin = NameView());
  // Validates uncompressed wire octets (exactly one name, nothing after it).
  static Result<Name> from_wire(std::span<const std::uint8_t> wire);

  NameView view() const { return {buf_.data(), size_}; }
  operator NameView() const { return view(); }  // NOLINT: a Name is usable wherever a view is.
  std::span<const std::uint8_t> wire() const { return {buf_.data(), size_}; }
  std::size_t size() const { return size_; }
  bool is_root() const { return size_ == 1; }
  std::size_t label_count() const { return view().label_count(); }
  bool is_wildcard() const { return view().is_wildcard(); }
  bool is_subdomain_of(NameView ancestor) const { return view().is_subdomain_of(ancestor); }
  std::string to_string() const { return view().to_string(); }
  std::size_t hash() const { return view().hash(); }

  // Prepends one label. Fails if the label is longer than 63 octets or the result longer than 255.
  Result<void> prepend_label(std::span<const std::uint8_t> label);
  // Replaces the root at the end with `suffix` (used for relative names). Fails beyond 255 octets.
  Result<void> append(NameView suffix);
  void to_lower();

  friend bool operator==(const Name& a, const Name& b) { return a.view() == b.view(); }

 private:
  friend class WireReader;
  std::array<std::uint8_t, kMaxNameWireSize> buf_;
  std::uint8_t size_ = 1;
};

inline std::strong_ordering canonical_compare(const Name& a, const Name& b) {
  return canonical_compare(a.view(), b.view());
}

// Transparent hashing and equality so that hash tables keyed by Name can be probed with a NameView without
// copying (the answer engine looks up suffixes of the query name this way).
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(NameView v) const { return v.hash(); }
  std::size_t operator()(const Name& n) const { return n.hash(); }
};
struct NameEqual {
  using is_transparent = void;
  bool operator()(NameView a, NameView b) const { return a == b; }
};

}  // namespace endhost::dns

template <>
struct std::hash<endhost::dns::Name> {
  std::size_t operator()(const endhost::dns::Name& n) const { return n.hash(); }
};
