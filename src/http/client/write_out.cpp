#include "http/client/write_out.hpp"

#include <cstdio>

namespace endhost::http {

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", s);  // curl prints seconds with microsecond precision
  return buf;
}

bool variable(std::string_view name, const WriteOutValues& v, std::string& out) {
  if (name == "http_code" || name == "response_code") {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03d", v.http_code);
    out += buf;
  } else if (name == "time_total") {
    out += seconds(v.time_total);
  } else if (name == "time_connect") {
    out += seconds(v.time_connect);
  } else if (name == "time_starttransfer") {
    out += seconds(v.time_starttransfer);
  } else if (name == "size_download") {
    out += std::to_string(v.size_download);
  } else if (name == "num_connects") {
    out += std::to_string(v.num_connects);
  } else if (name == "url_effective") {
    out += v.url_effective;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string render_write_out(std::string_view f, const WriteOutValues& v, std::vector<std::string>* unknown) {
  std::string out;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (c == '%' && i + 1 < f.size() && f[i + 1] == '%') {
      out += '%';
      ++i;
    } else if (c == '%' && i + 1 < f.size() && f[i + 1] == '{') {
      const std::size_t end = f.find('}', i + 2);
      if (end == std::string_view::npos) {  // curl prints an unterminated %{ as it is
        out += f.substr(i);
        break;
      }
      const std::string_view name = f.substr(i + 2, end - i - 2);
      if (!variable(name, v, out) && unknown) unknown->emplace_back(name);
      i = end;
    } else if (c == '\\' && i + 1 < f.size()) {
      const char e = f[i + 1];
      if (e == 'n') {
        out += '\n';
      } else if (e == 'r') {
        out += '\r';
      } else if (e == 't') {
        out += '\t';
      } else if (e == '\\') {
        out += '\\';
      } else {  // curl keeps an unknown escape as written
        out += c;
        out += e;
      }
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace endhost::http
