// Errors as values for the sans-I/O cores: Expected<T, E> holds a T or an E, like C++23's std::expected.
// libstdc++ 12 has std::expected only for g++ in C++23 mode, and clang-14 (the fuzz build) cannot compile it,
// so the cores use this small subset instead. Same names and meaning, so a later switch is a rename.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace endhost {

template <class E>
class Unexpected {
 public:
  constexpr explicit Unexpected(E e) : error_(std::move(e)) {}
  constexpr const E& error() const& noexcept { return error_; }
  constexpr E&& error() && noexcept { return std::move(error_); }

 private:
  E error_;
};

template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class [[nodiscard]] Expected {
 public:
  constexpr Expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  template <class U = T>
  requires std::is_constructible_v<T, U&&> &&
      (!std::is_same_v<std::remove_cvref_t<U>, Expected>)constexpr Expected(U&& value)
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  template <class G>
  constexpr Expected(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u).error()) {}

  constexpr bool has_value() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& value() & { return checked(), std::get<0>(v_); }
  constexpr const T& value() const& { return checked(), std::get<0>(v_); }
  constexpr T&& value() && { return checked(), std::get<0>(std::move(v_)); }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }

  constexpr const E& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  constexpr E&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  constexpr void checked() const { assert(has_value()); }
  std::variant<T, E> v_;
};

// Expected<void, E>: success carries nothing.
template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  constexpr Expected() = default;
  template <class G>
  constexpr Expected(Unexpected<G> u) : error_(std::move(u).error()), ok_(false) {}

  constexpr bool has_value() const noexcept { return ok_; }
  constexpr explicit operator bool() const noexcept { return ok_; }
  constexpr void value() const { assert(ok_); }
  constexpr const E& error() const& {
    assert(!ok_);
    return error_;
  }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace endhost
