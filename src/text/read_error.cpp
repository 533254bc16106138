#include "text/read_error.hpp"

namespace endhost::text {

std::string_view describe(ReadError error) {
  switch (error) {
    case ReadError::BareLf:
      return "bare LF in a line (only CRLF ends a line)";
    case ReadError::BareCr:
      return "bare CR in a line (CR must be followed by LF)";
    case ReadError::LineTooLong:
      return "line too long";
    case ReadError::LiteralTooLarge:
      return "literal too large";
    case ReadError::DataTooLarge:
      return "message too large";
    case ReadError::Malformed:
      return "malformed reply line";
    case ReadError::TooManyLines:
      return "too many lines in one reply";
  }
  return "bad input";
}

}  // namespace endhost::text
