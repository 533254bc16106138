// Access log lines in the Combined Log Format (Apache's and nginx's default):
//   127.0.0.1 - alice [21/Nov/2026:04:02:24 +0000] "GET /a.txt HTTP/1.1" 200 1024 "http://ref/" "curl/8"
// Quoted fields are escaped the way nginx escapes them ('"' and '\' get a backslash, other bytes outside
// printable ASCII become \xHH), so a request cannot forge a second line or a field.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace endhost::web {

// "[21/Nov/2026:04:02:24 +0000]" (the time is printed in UTC).
void append_clf_time(std::string& out, std::time_t t);

// Appends `s` escaped for a quoted log field; "-" for an empty string.
void append_log_escaped(std::string& out, std::string_view s);

struct AccessLogEntry {
  std::string_view remote;   // client address without port
  std::string_view user;     // authenticated user, "" if none
  std::time_t time = 0;      // when the request arrived
  std::string_view request;  // the request line as received (escaped here)
  unsigned status = 0;
  std::uint64_t bytes = 0;  // content bytes sent (CLF prints "-" for 0)
  std::string_view referer;
  std::string_view user_agent;
};

// The whole line, newline included.
void append_combined_log_line(std::string& out, const AccessLogEntry& e);

// The address part of a peer "ip:port" or "[ipv6]:port" (core::Connection::peer()), as the log's remote host.
std::string_view remote_host(std::string_view peer) noexcept;

}  // namespace endhost::web
