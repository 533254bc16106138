// curl's `-w/--write-out FORMAT` for `endhost fetch`: the text printed after each transfer, with
// `%{variable}` replaced by a fact about that transfer and curl's backslash escapes (\n, \r, \t, \\) and
// `%%` turned into their characters. Pure text: fetch.cpp measures, this formats.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::http {

// What one transfer measured, in curl's units: seconds from the transfer's start, bytes of body received.
struct WriteOutValues {
  int http_code = 0;  // the last response's status; 0 (printed "000") when none came
  double time_total = 0;
  double time_connect = 0;        // until the TCP connection was up; 0 when a pooled one was reused
  double time_starttransfer = 0;  // until the response head arrived
  std::uint64_t size_download = 0;
  std::uint64_t num_connects = 0;  // new connections this transfer opened
  std::string url_effective;       // the last URL asked (after -L redirects)
};

// Formats `format`. Variables this client does not know print nothing and are named in `unknown` (curl
// warns about them and goes on).
std::string render_write_out(std::string_view format, const WriteOutValues& values,
                             std::vector<std::string>* unknown = nullptr);

}  // namespace endhost::http
