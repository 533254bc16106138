// multipart/form-data (RFC 7578), framed as RFC 2046 §5.1 says: an incremental parser that yields each
// part's headers, then views of its content, then its end. It never buffers content, so an upload of any
// size costs no more memory than the part headers (bounded by MultipartLimits) and a delimiter's length.
//
// Contract (like the HTTP parsers): call next() with the unconsumed bytes of the body and drop `consumed`
// bytes from the front before the next call. need_more may consume bytes (a preamble or epilogue, which are
// discarded): drop them, then call again with more bytes. `data` views point into the buffer given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::web {

struct MultipartLimits {
  std::size_t max_parts = 64;               // parts in one body
  std::size_t max_header_bytes = 8 * 1024;  // the header block of one part
};

struct PartHeaders {
  std::string name;      // the form field's name (Content-Disposition: form-data; name=…)
  std::string filename;  // as sent; meaningful when has_filename
  bool has_filename = false;
  std::string content_type;  // "" when the part has none (text/plain by RFC 7578 §4.4)
};

enum class MultipartError : std::uint8_t {
  bad_delimiter,     // a delimiter line not followed by "--" or CRLF
  header_too_large,  // MultipartLimits::max_header_bytes
  bad_header,        // a header line without a colon, or a Content-Disposition that is not form-data
  too_many_parts,    // MultipartLimits::max_parts
  truncated,         // the body ended before the close delimiter
};

std::string_view describe(MultipartError e) noexcept;

struct MultipartStep {
  enum class Kind : std::uint8_t { need_more, part_begin, data, part_end, done };
  Kind kind = Kind::need_more;
  std::size_t consumed = 0;
  std::string_view data;  // Kind::data only
};

class MultipartParser {
 public:
  // `boundary` as in the Content-Type parameter (1 to 70 characters).
  explicit MultipartParser(std::string_view boundary, MultipartLimits limits = {});

  Expected<MultipartStep, MultipartError> next(std::string_view buf);
  // The body has ended: an error unless the close delimiter was seen.
  Expected<void, MultipartError> finish() const;

  // The headers of the current part, valid from part_begin until the next part_begin.
  const PartHeaders& part() const noexcept { return part_; }
  bool done() const noexcept { return state_ == State::epilogue; }
  std::size_t parts() const noexcept { return parts_; }

 private:
  enum class State : std::uint8_t { preamble, after_delimiter, headers, data, epilogue, failed };

  Unexpected<MultipartError> fail(MultipartError e);
  Expected<void, MultipartError> parse_headers(std::string_view block);

  std::string delimiter_;  // CRLF "--" boundary
  MultipartLimits limits_;
  PartHeaders part_;
  std::size_t parts_ = 0;
  State state_ = State::preamble;
  bool at_start_ = true;  // nothing consumed yet: the first delimiter may lack its CRLF
};

// The boundary of a `multipart/form-data; boundary=…` Content-Type value (the parameter may be quoted);
// nullopt when the type is something else or the boundary is not 1-70 valid characters (RFC 2046 §5.1.1).
std::optional<std::string> form_data_boundary(std::string_view content_type);

// A name under which an uploaded file may be stored: the last segment of `filename` (browsers once sent
// whole Windows paths), not empty, not starting with '.', no control characters, at most 255 bytes.
std::optional<std::string> safe_upload_name(std::string_view filename);

}  // namespace endhost::web
