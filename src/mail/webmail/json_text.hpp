// The JSON the webmail's API answers with (RFC 8259), written straight into a string: a small builder for
// objects and arrays of strings, numbers and booleans. Strings are escaped so the text is safe anywhere
// (`<`, `>`, `&` as \u escapes) and bytes that are not UTF-8 become U+FFFD, so JSON.parse never fails on a
// message's odd header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace endhost::mail::webmail {

void append_json_string(std::string& out, std::string_view text);

// Writes `{"a":1,"b":[…]}` with commas where they belong. Keys are the webmail's own (ASCII literals).
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  std::string take() { return std::move(out_); }
  const std::string& text() const { return out_; }

 private:
  void separate();
  std::string out_;
  bool first_ = true;  // nothing written yet in the current object or array
  bool after_key_ = false;
};

}  // namespace endhost::mail::webmail
