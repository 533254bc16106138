// What a response says, independent of the HTTP version that will carry it: the status, the fields in the
// order the handler gave them, and how the length of the content is known. Handlers describe their answer
// here; the connection's framing turns it into bytes: http1_response.hpp for HTTP/1.1 (status line, Server,
// Date, Content-Length or chunked, Connection), and later HTTP/2, which will HPACK-encode the same fields
// (lower-casing the names as it encodes them, RFC 9113 §8.2.1) and send the length as content-length.
//
// Nothing of the connection is in here: Connection/keep-alive, Transfer-Encoding, Server and Date belong to
// the framing (RFC 9110 §7.6.1: connection-specific fields; RFC 9113 §8.2.2 forbids them in HTTP/2).
//
// Storage is one string arena plus a small vector of offsets, both reused: a ResponseHead kept in the
// pooled Work allocates nothing once it has seen a response as large as the current one. The arena keeps
// each field as "Name: value\r\n", the field-line syntax of RFC 9112 §5: the HTTP/1 serializer then copies
// all the fields in one or two pieces instead of four appends per field (describing first and serializing
// afterwards would otherwise cost the hot path a fifth more instructions), while name() and value() views
// serve any other framing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "http/status.hpp"

namespace endhost::web {

class ResponseHead {
 public:
  struct Field {
    std::string_view name;  // as the handler wrote it ("Content-Type"): HTTP/1 keeps the casing
    std::string_view value;
  };

  // How the receiver learns where the content ends (RFC 9110 §8.6).
  enum class Length : std::uint8_t {
    none,      // no Content-Length: 304, 204, 100-class (RFC 9110 §8.6, §15.4.5)
    known,     // content_length() bytes (also for HEAD, which sends none of them: §9.3.2)
    streamed,  // not known up front (gzip on the fly): HTTP/1.1 chunked, HTTP/2 END_STREAM
  };

  ResponseHead();

  // Starts a new description; capacity is kept.
  void reset(http::Status s = http::Status::ok);

  // Appends a field. `name` is a token and `value` has no CR, LF or NUL (the handlers' values are literals
  // or built by our own code, never copied from a request unchecked).
  // Inline: names are literals, so their copies compile to a few moves on the hot path.
  void add(std::string_view name, std::string_view value) { add(name, value, {}); }
  // The same with the value joined from two pieces ("multipart/byteranges; boundary=" and the boundary).
  void add(std::string_view name, std::string_view value, std::string_view value_tail) {
    const std::size_t n = name.size() + value.size() + value_tail.size() + 4;  // ": " and CRLF
    if (used_ + n > lines_.size()) grow(used_ + n);
    entries_.push_back(Entry{static_cast<std::uint32_t>(used_), static_cast<std::uint32_t>(name.size())});
    char* p = put(lines_.data() + used_, name);
    *p++ = ':';
    *p++ = ' ';
    p = put(put(p, value), value_tail);
    *p++ = '\r';
    *p = '\n';
    used_ += n;
  }

  // The content length, framed at this point of the field order (HTTP/1 writes Content-Length here, so the
  // bytes stay what they always were). Called at most once per description, as is set_streamed().
  void set_content_length(std::uint64_t length);
  void set_streamed();

  std::size_t size() const noexcept { return entries_.size(); }
  Field field(std::size_t i) const noexcept {
    const Entry& e = entries_[i];
    const std::size_t end = i + 1 < entries_.size() ? entries_[i + 1].line : used_;
    const std::size_t value = e.line + e.name_size + 2;  // past ": "
    const std::string_view lines = field_lines();
    return Field{lines.substr(e.line, e.name_size), lines.substr(value, end - 2 - value)};  // without CRLF
  }
  Length length() const noexcept { return length_; }
  std::uint64_t content_length() const noexcept { return content_length_; }
  // How many fields come before the length's place (size() when it goes last).
  std::size_t length_position() const noexcept { return length_position_; }

  // For the HTTP/1 serializer: every field as its field line ("Name: value\r\n", in order), and how many
  // bytes of them come before the length's place.
  std::string_view field_lines() const noexcept { return {lines_.data(), used_}; }
  std::size_t field_lines_before_length() const noexcept { return length_offset_; }

  http::Status status = http::Status::ok;

 private:
  static char* put(char* p, std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view's data() may be null
    return p + s.size();
  }
  void grow(std::size_t at_least);

  // A field's line starts at lines_[line]: its name, ": ", the value, CRLF up to the next line (or the end).
  struct Entry {
    std::uint32_t line;
    std::uint32_t name_size;
  };

  // The field lines are lines_[0, used_). lines_ is storage: its size is its capacity, grown (rarely) by
  // resize(), so that add() writes a whole line with plain copies instead of five checked appends.
  std::string lines_;
  std::size_t used_ = 0;
  std::vector<Entry> entries_;
  std::uint64_t content_length_ = 0;
  std::size_t length_position_ = 0;
  std::size_t length_offset_ = 0;
  Length length_ = Length::none;
};

}  // namespace endhost::web
