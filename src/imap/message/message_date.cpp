#include "imap/message/message_date.hpp"

#include <array>

namespace endhost::imap::message {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  // Blanks, line ends and comments (RFC 5322 §3.2.2 CFWS).
  void skip_cfws() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i_;
      } else if (c == '(') {
        int depth = 0;
        while (i_ < s_.size()) {
          const char d = s_[i_++];
          if (d == '\\') {
            if (i_ < s_.size()) ++i_;
          } else if (d == '(') {
            ++depth;
          } else if (d == ')' && --depth == 0) {
            break;
          }
        }
      } else {
        return;
      }
    }
  }
  std::string_view letters() {
    skip_cfws();
    const std::size_t start = i_;
    while (i_ < s_.size() && ((s_[i_] | 0x20) >= 'a' && (s_[i_] | 0x20) <= 'z')) ++i_;
    return s_.substr(start, i_ - start);
  }
  // Up to 9 digits; nullopt when there are none.
  std::optional<std::pair<int, std::size_t>> digits() {
    skip_cfws();
    const std::size_t start = i_;
    int v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 9) v = v * 10 + (s_[i_++] - '0');
    if (i_ == start) return std::nullopt;
    return std::pair{v, i_ - start};
  }
  bool eat(char c) {
    skip_cfws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

int month_of(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    bool same = true;
    for (std::size_t i = 0; i < 3; ++i) same = same && static_cast<char>(name[i] | 0x20) == kMonths[m][i];
    if (same) return static_cast<int>(m + 1);
  }
  return 0;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

}  // namespace

std::optional<Date> parse_message_date(std::string_view value) {
  Reader r(value);
  // [day-of-week ","]; the comma is sometimes missing.
  if (!r.letters().empty()) r.eat(',');
  const auto day = r.digits();
  if (!day || day->second > 2) return std::nullopt;
  r.eat('-');  // "2-Dec-2026", seen in the wild
  const int month = month_of(r.letters());
  if (month == 0) return std::nullopt;
  r.eat('-');
  const auto year = r.digits();
  if (!year) return std::nullopt;
  int y = year->first;
  // RFC 5322 §4.3: a 2-digit year below 50 is 20xx, otherwise 19xx; a 3-digit year adds 1900.
  if (year->second == 2)
    y += y < 50 ? 2000 : 1900;
  else if (year->second == 3)
    y += 1900;
  else if (year->second != 4)
    return std::nullopt;
  if (y < 1 || y > 9999) return std::nullopt;
  if (day->first < 1 || day->first > days_in_month(y, month)) return std::nullopt;
  return Date{y, month, day->first};
}

}  // namespace endhost::imap::message
