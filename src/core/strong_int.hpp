// An integer that means one kind of count, so that counts easy to mix up (bytes and items, records and
// octets) cannot be: construction is explicit, arithmetic and comparison only with the same kind, no
// implicit conversion back. Scaling by a plain number and dividing two counts of one kind (a ratio) are
// allowed. No I/O: codecs use it.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace endhost::core {

template <class Tag, class Rep = std::uint64_t>
class StrongInt {
 public:
  using rep = Rep;

  constexpr StrongInt() noexcept = default;
  constexpr explicit StrongInt(Rep v) noexcept : v_(v) {}

  constexpr Rep value() const noexcept { return v_; }

  friend constexpr auto operator<=>(StrongInt, StrongInt) noexcept = default;

  constexpr StrongInt& operator+=(StrongInt o) noexcept {
    v_ += o.v_;
    return *this;
  }
  constexpr StrongInt& operator-=(StrongInt o) noexcept {
    v_ -= o.v_;
    return *this;
  }
  friend constexpr StrongInt operator+(StrongInt a, StrongInt b) noexcept { return a += b; }
  friend constexpr StrongInt operator-(StrongInt a, StrongInt b) noexcept { return a -= b; }
  friend constexpr StrongInt operator*(StrongInt a, Rep k) noexcept { return StrongInt(a.v_ * k); }
  friend constexpr StrongInt operator*(Rep k, StrongInt a) noexcept { return StrongInt(a.v_ * k); }
  friend constexpr StrongInt operator/(StrongInt a, Rep k) noexcept { return StrongInt(a.v_ / k); }
  friend constexpr Rep operator/(StrongInt a, StrongInt b) noexcept { return a.v_ / b.v_; }

 private:
  Rep v_{};
};

// The two counts that limit structs mix most: sizes in octets and numbers of things.
using ByteCount = StrongInt<struct ByteCountTag, std::uint64_t>;
using ItemCount = StrongInt<struct ItemCountTag, std::uint64_t>;

}  // namespace endhost::core

template <class Tag, class Rep>
struct std::hash<endhost::core::StrongInt<Tag, Rep>> {
  std::size_t operator()(endhost::core::StrongInt<Tag, Rep> v) const noexcept {
    return std::hash<Rep>{}(v.value());
  }
};
