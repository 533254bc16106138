#include "http/server/multipart.hpp"

#include "http/chars.hpp"
#include "http/fields.hpp"

namespace endhost::web {

namespace {

constexpr std::size_t kMaxPadding = 256;  // transport-padding after a delimiter (RFC 2046 §5.1.1)

bool is_lwsp(char c) {
  return c == ' ' || c == '\t';
}

using http::chars::trim;

// Reads one `; name=value` parameter (RFC 9110 §5.6.6, values token or quoted-string). Returns false at the
// end of the list or on a syntax error (which ends the parameters). `escapes`: whether a backslash quotes the
// next character. Not in form-data's Content-Disposition: browsers send file names with raw backslashes and
// percent-encode only '"', CR and LF (WHATWG HTML, "multipart/form-data encoding algorithm").
bool next_param(std::string_view& rest, std::string_view& name, std::string& value, bool escapes) {
  rest = trim(rest);
  if (rest.empty() || rest.front() != ';') return false;
  rest.remove_prefix(1);
  rest = trim(rest);
  const std::size_t eq = rest.find('=');
  if (eq == std::string_view::npos) return false;
  name = trim(rest.substr(0, eq));
  rest = trim(rest.substr(eq + 1));
  value.clear();
  if (!rest.empty() && rest.front() == '"') {
    std::size_t i = 1;
    for (; i < rest.size() && rest[i] != '"'; ++i) {
      if (escapes && rest[i] == '\\' && i + 1 < rest.size()) ++i;
      value += rest[i];
    }
    if (i >= rest.size()) return false;  // unterminated
    rest.remove_prefix(i + 1);
  } else {
    const std::size_t end = rest.find(';');
    value = std::string(trim(rest.substr(0, end)));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  return true;
}

bool valid_boundary(std::string_view b) {
  // bchars (RFC 2046 §5.1.1): DIGIT / ALPHA / "'()+_,-./:=?" and space (not last), 1 to 70 of them.
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("'()+_,-./:=? ").find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

std::string_view describe(MultipartError e) noexcept {
  switch (e) {
    case MultipartError::bad_delimiter:
      return "malformed multipart delimiter";
    case MultipartError::header_too_large:
      return "multipart part headers too large";
    case MultipartError::bad_header:
      return "malformed multipart part header";
    case MultipartError::too_many_parts:
      return "too many parts in the form";
    case MultipartError::truncated:
      return "the form ended before its close delimiter";
  }
  return "bad multipart body";
}

MultipartParser::MultipartParser(std::string_view boundary, MultipartLimits limits)
    : delimiter_("\r\n--"), limits_(limits) {
  delimiter_ += boundary;
}

Unexpected<MultipartError> MultipartParser::fail(MultipartError e) {
  state_ = State::failed;
  return Unexpected(e);
}

Expected<void, MultipartError> MultipartParser::finish() const {
  if (state_ == State::epilogue) return {};
  return Unexpected(MultipartError::truncated);
}

Expected<void, MultipartError> MultipartParser::parse_headers(std::string_view block) {
  part_ = PartHeaders{};
  bool disposition = false;
  while (!block.empty()) {
    const std::size_t end = block.find("\r\n");
    const std::string_view line = block.substr(0, end);
    block.remove_prefix(end == std::string_view::npos ? block.size() : end + 2);
    if (line.empty()) continue;
    if (is_lwsp(line.front())) return Unexpected(MultipartError::bad_header);  // folding (RFC 7578 §4.8)
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Unexpected(MultipartError::bad_header);
    const std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (http::iequals(name, "content-disposition")) {
      // RFC 7578 §4.2: form-data; name="…" [; filename="…"]
      const std::size_t semi = value.find(';');
      if (!http::iequals(trim(value.substr(0, semi)), "form-data"))
        return Unexpected(MultipartError::bad_header);
      value.remove_prefix(semi == std::string_view::npos ? value.size() : semi);
      std::string_view pname;
      std::string pvalue;
      while (next_param(value, pname, pvalue, false)) {
        if (http::iequals(pname, "name")) {
          part_.name = pvalue;
        } else if (http::iequals(pname, "filename")) {
          part_.filename = pvalue;
          part_.has_filename = true;
        }
      }
      disposition = true;
    } else if (http::iequals(name, "content-type")) {
      part_.content_type = std::string(value);
    }
  }
  // RFC 7578 §4.2: each part MUST have a Content-Disposition of form-data.
  if (!disposition) return Unexpected(MultipartError::bad_header);
  return {};
}

Expected<MultipartStep, MultipartError> MultipartParser::next(std::string_view buf) {
  using Kind = MultipartStep::Kind;
  const std::string_view dash_boundary = std::string_view(delimiter_).substr(2);  // "--" boundary
  switch (state_) {
    case State::preamble: {
      // The first delimiter may open the body without a CRLF before it (RFC 2046 §5.1.1).
      if (at_start_ && buf.size() < dash_boundary.size()) return MultipartStep{Kind::need_more, 0, {}};
      if (at_start_ && buf.substr(0, dash_boundary.size()) == dash_boundary) {
        state_ = State::after_delimiter;
        return MultipartStep{Kind::need_more, dash_boundary.size(), {}};
      }
      const std::size_t at = buf.find(delimiter_);
      if (at != std::string_view::npos) {
        state_ = State::after_delimiter;
        return MultipartStep{Kind::need_more, at + delimiter_.size(), {}};
      }
      // Discard the preamble, keeping what could be the start of a delimiter.
      const std::size_t discard = buf.size() >= delimiter_.size() ? buf.size() - (delimiter_.size() - 1) : 0;
      if (discard > 0) at_start_ = false;
      return MultipartStep{Kind::need_more, discard, {}};
    }
    case State::after_delimiter: {
      if (buf.size() < 2) return MultipartStep{Kind::need_more, 0, {}};
      if (buf.substr(0, 2) == "--") {
        state_ = State::epilogue;
        return MultipartStep{Kind::done, 2, {}};
      }
      std::size_t i = 0;
      while (i < buf.size() && is_lwsp(buf[i])) ++i;
      if (i > kMaxPadding) return fail(MultipartError::bad_delimiter);
      if (buf.size() < i + 2) return MultipartStep{Kind::need_more, 0, {}};
      if (buf.substr(i, 2) != "\r\n") return fail(MultipartError::bad_delimiter);
      if (++parts_ > limits_.max_parts) return fail(MultipartError::too_many_parts);
      state_ = State::headers;
      return MultipartStep{Kind::need_more, i + 2, {}};
    }
    case State::headers: {
      std::size_t end;
      if (buf.substr(0, 2) == "\r\n") {
        end = 0;  // a part with no header fields at all
      } else {
        end = buf.find("\r\n\r\n");
        if (end == std::string_view::npos) {
          // A terminator still to come starts at buf.size() - 3 or later, so the block would end (at its
          // first CRLF) past buf.size() - 1: only then is it surely over the limit, whatever the split.
          if (buf.size() > limits_.max_header_bytes + 1) return fail(MultipartError::header_too_large);
          return MultipartStep{Kind::need_more, 0, {}};
        }
        end += 2;
      }
      if (end > limits_.max_header_bytes) return fail(MultipartError::header_too_large);
      if (auto ok = parse_headers(buf.substr(0, end)); !ok) return fail(ok.error());
      state_ = State::data;
      return MultipartStep{Kind::part_begin, end + 2, {}};
    }
    case State::data: {
      const std::size_t at = buf.find(delimiter_);
      if (at == 0) {
        state_ = State::after_delimiter;
        return MultipartStep{Kind::part_end, delimiter_.size(), {}};
      }
      std::size_t safe = at;
      if (at == std::string_view::npos) {
        // Everything that cannot be the beginning of a delimiter split across calls is content.
        safe = buf.size() >= delimiter_.size() ? buf.size() - (delimiter_.size() - 1) : 0;
        const std::size_t cr = buf.find('\r', safe);
        safe = cr == std::string_view::npos ? buf.size() : cr;
      }
      if (safe == 0) return MultipartStep{Kind::need_more, 0, {}};
      return MultipartStep{Kind::data, safe, buf.substr(0, safe)};
    }
    case State::epilogue:
      // RFC 2046 §5.1.1: the epilogue is to be ignored.
      return MultipartStep{Kind::done, buf.size(), {}};
    case State::failed:
      break;
  }
  return Unexpected(MultipartError::bad_delimiter);
}

std::optional<std::string> form_data_boundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (!http::iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
  std::string_view rest = content_type.substr(semi == std::string_view::npos ? content_type.size() : semi);
  std::string_view name;
  std::string value;
  while (next_param(rest, name, value, true)) {
    if (http::iequals(name, "boundary")) {
      if (!valid_boundary(value)) return std::nullopt;
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> safe_upload_name(std::string_view filename) {
  const std::size_t cut = filename.find_last_of("/\\");
  if (cut != std::string_view::npos) filename.remove_prefix(cut + 1);
  if (filename.empty() || filename.size() > 255 || filename.front() == '.') return std::nullopt;
  for (char c : filename)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
  return std::string(filename);
}

}  // namespace endhost::web
