// Internal to `endhost fetch`: the pieces fetch.cpp and page.cpp share — the request template built from
// the options, Basic credentials, the -v printer, the progress meter, and the decision to keep a response
// in the local --cache.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/transcript.hpp"
#include "http/cache/store.hpp"
#include "http/client/fetch.hpp"
#include "http/fields.hpp"
#include "http/message.hpp"

namespace endhost::http {

struct RequestTemplate {
  std::string method = "GET";
  Fields fields;  // defaults (User-Agent, Accept…) merged with -H
  std::string body;
  std::string
      basic_auth;  // "Basic …" from -u; sent only to auth_host (curl drops it on a cross-host redirect)
  std::string auth_host;
};

// Errors are sentences for the user: "-H 'X': not a header (use 'Name: value')".
Expected<RequestTemplate, std::string> build_template(const FetchOptions& o);

std::string base64(std::string_view data);
// RFC 7617: "Basic " + base64(user ":" password).
std::string basic_auth(std::string_view user_colon_password);

// -v: heads as the textbook prints them, "C: GET / HTTP/1.1" and "S: HTTP/1.1 200 OK", on stderr.
class VerboseSink final : public core::TranscriptSink {
 public:
  explicit VerboseSink(std::ostream& out) : out_(out) {}
  void record(const core::TranscriptEntry& e) override;

 private:
  std::ostream& out_;
};

// The progress meter on a terminal: bytes, percentage, rate and time left, redrawn ten times a second.
class ProgressMeter {
 public:
  void start(std::optional<std::uint64_t> total, bool enabled);
  void add(std::uint64_t n);
  void finish();

 private:
  void draw(bool last);
  bool enabled_ = false;
  std::optional<std::uint64_t> total_;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// A writer for the response's body when the local cache may store it (RFC 9111 §3, as the proxy decides),
// or why not.
Expected<cache::ObjectWriter, std::string> plan_fetch_store(cache::Store& store, const std::string& key,
                                                            const Fields& request_fields,
                                                            const Response& head, cache::Time request_time,
                                                            cache::Time response_time);

}  // namespace endhost::http
