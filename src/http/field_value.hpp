// Helpers over field values that the server, client and proxy all need: comma-separated lists (RFC 9110
// §5.6.1) with quoted strings, case-insensitive token membership (Connection, Transfer-Encoding, Upgrade),
// and the framing fields Content-Length and Transfer-Encoding (RFC 9112 §6). Pure functions over borrowed
// views.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http/error.hpp"
#include "http/fields.hpp"

namespace endhost::http {

// Walks the elements of a #list value: `a, "b,c" , ,d` yields `a`, `"b,c"`, `d`. Empty elements are skipped
// (RFC 9110 §5.6.1.2 requires recipients to accept them), whitespace around elements is removed, and a comma
// inside a quoted-string (with \-escapes) does not split. Elements keep any `;param` suffix.
class ListReader {
 public:
  explicit ListReader(std::string_view value) noexcept : rest_(value) {}
  std::optional<std::string_view> next() noexcept;

 private:
  std::string_view rest_;
};

// Whether the #list `value` has an element equal to `token`, ignoring case (e.g. Connection: close).
bool list_contains_token(std::string_view value, std::string_view token) noexcept;
// The same over every field line named `name` (a list may be split over several lines, RFC 9110 §5.3).
bool fields_contain_token(FieldsView fields, std::string_view name, std::string_view token) noexcept;

// The content of a quoted-string without quotes and escapes; an unquoted value is returned as is.
std::string unquote(std::string_view value);

// Content-Length over all its field lines (RFC 9112 §6.3 item 5, RFC 9110 §8.6): every line may be a list,
// every element must be 1*DIGIT and fit 63 bits, and all must be equal (`42, 42` is 42; `5, 6`, `+5`, ` 5 5`,
// `5,` are errors). nullopt when there is no Content-Length field.
Expected<std::optional<std::uint64_t>, Errc> content_length(FieldsView fields) noexcept;

// What a Transfer-Encoding list (all its lines) says about framing (RFC 9112 §6.1).
struct TransferCodings {
  bool present = false;           // any Transfer-Encoding line at all
  bool chunked_final = false;     // the last coding is exactly `chunked`
  bool chunked_twice = false;     // `chunked` more than once: never valid (RFC 9112 §7)
  bool chunked_not_last = false;  // `chunked` followed by another coding
  bool other_codings = false;     // gzip, identity, xchunked, `chunked;x=1`…
  bool empty = false;             // a line with no coding at all
};
TransferCodings transfer_codings(FieldsView fields) noexcept;

}  // namespace endhost::http
