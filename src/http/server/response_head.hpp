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
// pooled Work allocates nothing once it has seen a response as large as the current one.
#pragma once

#include <cstddef>
#include <cstdint>
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
  void add(std::string_view name, std::string_view value);
  // Appends a field whose value is built piecewise: whatever is appended to the returned string, until the
  // next add(), begin_field() or reset(), is the value (for helpers that append, like Content-Range's).
  std::string& begin_field(std::string_view name);

  // The content length, framed at this point of the field order (HTTP/1 writes Content-Length here, so the
  // bytes stay what they always were). Called at most once per description, as is set_streamed().
  void set_content_length(std::uint64_t length);
  void set_streamed();

  std::size_t size() const noexcept { return entries_.size(); }
  Field field(std::size_t i) const noexcept;
  Length length() const noexcept { return length_; }
  std::uint64_t content_length() const noexcept { return content_length_; }
  // How many fields come before the length's place (size() when it goes last).
  std::size_t length_position() const noexcept { return length_position_; }

  http::Status status = http::Status::ok;

 private:
  // A field's name is arena_[name_offset, +name_size) and its value runs from value_offset to where the
  // next field's name begins (or the arena ends): so begin_field() needs no closing call.
  struct Entry {
    std::uint32_t name_offset;
    std::uint32_t name_size;
    std::uint32_t value_offset;
  };

  std::string arena_;
  std::vector<Entry> entries_;
  std::uint64_t content_length_ = 0;
  std::size_t length_position_ = 0;
  Length length_ = Length::none;
};

}  // namespace endhost::web
