#include "http2/request_head.hpp"

#include <array>
#include <string_view>

#include "http/method.hpp"

namespace endhost::http2 {
namespace {

// §8.2.1: a field name is lowercase token characters; a leading ':' marks a pseudo-header (checked by the
// caller). Everything from 0x00 to 0x20, 'A'-'Z', 0x7f and above is malformed, as are RFC 9110 §5.6.2's
// delimiters. A table of the bytes a name may hold: one load per byte rather than a chain of branches.
constexpr std::array<bool, 256> kNameByte = [] {
  std::array<bool, 256> t{};
  for (int c = 0x21; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = !(c >= 'A' && c <= 'Z');
  for (char c : std::string_view("\"(),/:;<=>?@[\\]{}"))
    t[static_cast<unsigned char>(c)] = false;  // not tchars
  return t;
}();

bool valid_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  bool ok = true;
  for (char ch : name) ok &= kNameByte[static_cast<unsigned char>(ch)];
  return ok;
}

// §8.2.1: no NUL, CR or LF anywhere, and no leading or trailing SP or HTAB.
bool valid_value(std::string_view value) noexcept {
  bool bad = false;  // no early exit: the loop has no branch
  for (char c : value) bad |= (c == '\0') | (c == '\r') | (c == '\n');
  if (bad) return false;
  if (value.empty()) return true;
  const char first = value.front(), last = value.back();
  return first != ' ' && first != '\t' && last != ' ' && last != '\t';
}

bool parse_length(std::string_view v, std::uint64_t& out) noexcept {
  if (v.empty() || v.size() > 19) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = n;
  return true;
}

Unexpected<Malformed> malformed(std::string_view reason) {
  return Unexpected(Malformed{reason});
}

}  // namespace

bool is_connection_specific(std::string_view n) noexcept {
  return n == "connection" || n == "proxy-connection" || n == "keep-alive" || n == "transfer-encoding" ||
         n == "upgrade";
}

Expected<std::optional<std::uint64_t>, Malformed> build_request_head(std::span<const http::FieldView> block,
                                                                     RequestStorage& storage,
                                                                     http::RequestHead& head) {
  storage.fields.clear();
  storage.cookie.clear();
  storage.target.clear();
  head = http::RequestHead{};
  head.version = kHttp2;

  std::optional<std::string_view> method, scheme, authority, path;
  std::optional<std::uint64_t> content_length;
  std::optional<std::string_view> host;
  bool regular_seen = false;
  std::size_t cookie_index = SIZE_MAX;

  for (const http::FieldView& f : block) {
    if (!f.name.empty() && f.name.front() == ':') {
      // §8.3: pseudo-header fields come first, are the defined ones, and appear once.
      if (regular_seen) return malformed("pseudo-header field after a regular field");
      if (!valid_value(f.value)) return malformed("invalid character in a pseudo-header value");
      std::optional<std::string_view>* slot = nullptr;
      if (f.name == ":method") {
        slot = &method;
      } else if (f.name == ":scheme") {
        slot = &scheme;
      } else if (f.name == ":authority") {
        slot = &authority;
      } else if (f.name == ":path") {
        slot = &path;
      } else {
        return malformed("unknown or response pseudo-header field in a request");
      }
      if (slot->has_value()) return malformed("pseudo-header field repeated");
      *slot = f.value;
      continue;
    }
    regular_seen = true;
    if (!valid_name(f.name)) return malformed("field name not lowercase or not a token");
    if (!valid_value(f.value)) return malformed("invalid character or surrounding space in a field value");
    if (is_connection_specific(f.name)) return malformed("connection-specific field");
    if (f.name == "te" && f.value != "trailers") return malformed("te other than trailers");
    if (f.name == "content-length") {
      std::uint64_t n = 0;
      if (!parse_length(f.value, n)) return malformed("invalid content-length");
      if (content_length && *content_length != n) return malformed("conflicting content-length values");
      content_length = n;
    }
    if (f.name == "host") {
      if (host) return malformed("host repeated");
      host = f.value;
    }
    if (f.name == "cookie") {
      // §8.2.3: cookie crumbs are joined with "; " before HTTP/1.1 semantics see them.
      if (cookie_index == SIZE_MAX) {
        cookie_index = storage.fields.size();
        storage.fields.push_back(http::FieldView{"cookie", {}});
      } else {
        storage.cookie += "; ";
      }
      storage.cookie += f.value;
      continue;
    }
    storage.fields.push_back(f);
  }
  if (cookie_index != SIZE_MAX) storage.fields[cookie_index].value = storage.cookie;

  if (!method || method->empty()) return malformed("no :method");
  head.method = *method;
  head.method_id = http::method_from_token(*method);
  if (head.method_id == http::Method::connect) {
    // §8.5: CONNECT carries :authority only.
    if (scheme || path) return malformed(":scheme or :path in CONNECT");
    if (!authority || authority->empty()) return malformed("CONNECT without :authority");
    head.target = *authority;
    head.target_form = http::TargetForm::authority;
  } else {
    if (!scheme || scheme->empty()) return malformed("no :scheme");
    if (!path || path->empty()) return malformed("no :path");  // §8.3.1: must not be empty for http(s)
    if (*path == "*") {
      if (head.method_id != http::Method::options) return malformed(":path * outside OPTIONS");
      head.target_form = http::TargetForm::asterisk;
    } else if (path->front() != '/') {
      return malformed(":path not in origin form");
    } else {
      head.target_form = http::TargetForm::origin;
    }
    head.target = *path;
    head.scheme = *scheme;
  }
  // §8.3.1: :authority wins; a Host naming something else is malformed.
  if (authority && host && !http::iequals(*authority, *host))
    return malformed("host differs from :authority");
  head.host = authority ? *authority : host.value_or(std::string_view{});
  head.fields = http::FieldsView(storage.fields);
  head.keep_alive = true;
  if (content_length) {
    head.framing = http::Framing{http::BodyKind::length, *content_length};
  }
  return content_length;
}

Expected<void, Malformed> check_trailers(std::span<const http::FieldView> block) {
  for (const http::FieldView& f : block) {
    if (!f.name.empty() && f.name.front() == ':') return malformed("pseudo-header field in trailers");
    if (!valid_name(f.name)) return malformed("field name not lowercase or not a token");
    if (!valid_value(f.value)) return malformed("invalid character or surrounding space in a field value");
    if (is_connection_specific(f.name)) return malformed("connection-specific field");
  }
  return {};
}

}  // namespace endhost::http2
