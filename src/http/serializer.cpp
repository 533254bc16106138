#include "http/serializer.hpp"

#include "http/chars.hpp"
#include "http/field_value.hpp"

namespace endhost::http {

namespace {

void append_version(std::string& out, Version v) {
  out += "HTTP/";
  out += static_cast<char>('0' + v.major);
  if (v.major >= 2) return;  // RFC 9110 §2.5: "HTTP/2" has no minor version
  out += '.';
  out += static_cast<char>('0' + v.minor);
}

Expected<void, Errc> check_fields(const Fields& fields) {
  for (const Field& f : fields) {
    if (!valid_field_name(f.name)) return Unexpected(Errc::bad_field_name);
    if (!valid_field_value(f.value)) return Unexpected(Errc::bad_field_value);
  }
  return {};
}

bool is_chunked(const Fields& fields) {
  std::optional<std::string_view> last;
  for (const Field& f : fields)
    if (iequals(f.name, "transfer-encoding")) {
      ListReader list(f.value);
      while (auto coding = list.next()) last = coding;
    }
  return last && iequals(*last, "chunked");
}

void append_body(std::string& out, const Fields& fields, std::string_view body) {
  if (!is_chunked(fields)) {
    out += body;
    return;
  }
  append_chunk(out, body);
  append_last_chunk(out);
}

}  // namespace

void append_status_line(std::string& out, Version version, Status status, std::string_view reason) {
  append_version(out, version);
  const unsigned code = to_int(status);
  const char digits[] = {' ', static_cast<char>('0' + code / 100 % 10),
                         static_cast<char>('0' + code / 10 % 10), static_cast<char>('0' + code % 10), ' '};
  out.append(digits, sizeof digits);
  out += reason.empty() ? reason_phrase(status) : reason;
  out += "\r\n";
}

void append_request_line(std::string& out, std::string_view method, std::string_view target,
                         Version version) {
  out += method;
  out += ' ';
  out += target;
  out += ' ';
  append_version(out, version);
  out += "\r\n";
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void append_fields(std::string& out, const Fields& fields) {
  for (const Field& f : fields) append_field(out, f.name, f.value);
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  char hex[16];
  std::size_t n = 0;
  for (std::size_t size = data.size(); size != 0; size >>= 4) hex[n++] = "0123456789abcdef"[size & 0xf];
  while (n > 0) out += hex[--n];
  out += "\r\n";
  out += data;
  out += "\r\n";
}

void append_last_chunk(std::string& out, const Fields& trailers) {
  out += "0\r\n";
  append_fields(out, trailers);
  out += "\r\n";
}

bool valid_field_name(std::string_view name) noexcept {
  return chars::is_token(name);
}

bool valid_field_value(std::string_view value) noexcept {
  if (!value.empty() && (chars::is_ows(value.front()) || chars::is_ows(value.back()))) return false;
  for (char c : value)
    if (!chars::field_value[static_cast<unsigned char>(c)]) return false;
  return true;
}

Expected<void, Errc> serialize_head(std::string& out, const Request& r) {
  if (!chars::is_token(r.method)) return Unexpected(Errc::bad_method);
  if (r.target.empty()) return Unexpected(Errc::bad_target);
  for (char c : r.target)
    if (!chars::target[static_cast<unsigned char>(c)]) return Unexpected(Errc::bad_target);
  if (r.version.major > 9 || r.version.minor > 9) return Unexpected(Errc::bad_version);
  if (auto ok = check_fields(r.fields); !ok) return ok;
  append_request_line(out, r.method, r.target, r.version);
  append_fields(out, r.fields);
  append_end_of_head(out);
  return {};
}

Expected<void, Errc> serialize_head(std::string& out, const Response& r) {
  if (to_int(r.status) < 100 || to_int(r.status) > 999) return Unexpected(Errc::bad_status_line);
  for (char c : r.reason)
    if (!chars::reason[static_cast<unsigned char>(c)]) return Unexpected(Errc::bad_status_line);
  if (r.version.major > 9 || r.version.minor > 9) return Unexpected(Errc::bad_version);
  if (auto ok = check_fields(r.fields); !ok) return ok;
  append_status_line(out, r.version, r.status, r.reason);
  append_fields(out, r.fields);
  append_end_of_head(out);
  return {};
}

Expected<void, Errc> serialize(std::string& out, const Request& r) {
  if (auto ok = serialize_head(out, r); !ok) return ok;
  append_body(out, r.fields, r.body);
  return {};
}

Expected<void, Errc> serialize(std::string& out, const Response& r) {
  if (auto ok = serialize_head(out, r); !ok) return ok;
  append_body(out, r.fields, r.body);
  return {};
}

}  // namespace endhost::http
