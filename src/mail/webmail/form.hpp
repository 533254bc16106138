// The webmail's request parameters: application/x-www-form-urlencoded (WHATWG URL §5.1) as query strings and
// POST bodies carry them, and the folder/UID lists the routes take. Sans-I/O; bounded by WebmailLimits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace endhost::mail::webmail {

class Form {
 public:
  // "a=1&b=x+y&c=%2F": '+' is a space, %XX a byte; a bad escape stays as written. At most `max_fields` pairs
  // (more are dropped: `truncated()`).
  static Form parse(std::string_view encoded, std::size_t max_fields = 64);

  // The first value of `name`, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;
  bool truncated() const { return truncated_; }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  bool truncated_ = false;
};

// "3,5,9": UIDs (1..2^32-1), at most `max` of them; nullopt on anything else (an empty list too).
std::optional<std::vector<std::uint32_t>> parse_uid_list(std::string_view text, std::size_t max);
// A decimal count in [0, max]; nullopt otherwise.
std::optional<std::uint64_t> parse_count(std::string_view text, std::uint64_t max);

// %-encodes everything but unreserved characters (RFC 3986 §2.3), for URLs the webmail writes.
std::string url_encode(std::string_view text);

}  // namespace endhost::mail::webmail
