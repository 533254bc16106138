// HTTP-date (RFC 9110 §5.6.7): formatting in IMF-fixdate, parsing of all three formats. Pure functions of a
// time_t (seconds since the Unix epoch, UTC); no clock, no locale, no time zone database.
#pragma once

#include <array>
#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::http {

inline constexpr std::size_t http_date_size = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"

// IMF-fixdate of `t`. Years outside 0..9999 are clamped (IMF-fixdate has four year digits).
std::array<char, http_date_size> format_http_date(std::time_t t) noexcept;
std::string to_http_date(std::time_t t);

// Parses IMF-fixdate, obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994"). nullopt if `s` is none of them. A two-digit RFC 850 year is resolved as
// RFC 9110 requires (no more than 50 years after `now`) when `now` is given, else 70-99 → 19xx, 00-69 → 20xx.
std::optional<std::time_t> parse_http_date(std::string_view s, std::optional<std::time_t> now = {}) noexcept;

// Formats the Date field once per second: a server asks for the current second on every response and gets
// the cached text while the second is unchanged. One per event loop (not shared between threads); the caller
// passes the time, so the cache has no clock of its own.
class DateCache {
 public:
  std::string_view get(std::time_t now) noexcept {
    if (now != last_ || !valid_) {
      text_ = format_http_date(now);
      last_ = now;
      valid_ = true;
    }
    return {text_.data(), text_.size()};
  }

 private:
  std::array<char, http_date_size> text_{};
  std::time_t last_ = 0;
  bool valid_ = false;
};

}  // namespace endhost::http
