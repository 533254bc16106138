// The error value returned by the wire codec: a code to branch on, a fixed reason to log, and the byte offset
// where decoding stopped. No allocation, so the query fast path can fail cheaply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/expected.hpp"

namespace endhost::dns {

enum class Errc : std::uint8_t {
  truncated,       // the input ends inside a field
  bad_pointer,     // compression pointer not strictly backwards, or into the header
  bad_label_type,  // label type 0b01 / 0b10 (RFC 6891 §5 retired extended labels)
  label_too_long,  // more than 63 octets
  name_too_long,   // more than 255 octets
  bad_rdata,       // RDATA does not match its type or its RDLENGTH
  trailing_data,   // bytes after the last record announced by the header
  misplaced_opt,   // OPT outside the additional section or with a non-root owner
  duplicate_opt,   // two OPT records (RFC 6891 §6.1.1)
  buffer_full,     // the output does not fit the caller's buffer
  bad_text,        // presentation-format input that does not parse
  unsupported,     // well-formed but not something this codec handles
};

struct Error {
  Errc code = Errc::truncated;
  const char* reason = "";  // static string, never owned
  std::size_t offset = 0;   // input offset where the problem was found (0 when not applicable)

  std::string to_string() const;
};

template <class T>
using Result = endhost::Expected<T, Error>;

inline endhost::Unexpected<Error> fail(Errc code, const char* reason, std::size_t offset = 0) {
  return endhost::Unexpected<Error>(Error{code, reason, offset});
}

}  // namespace endhost::dns
