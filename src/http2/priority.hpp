// A response's priority as RFC 9218 defines it (urgency 0-7 and incremental), and the parser for the
// `priority` header field and PRIORITY_UPDATE's field value, which share one syntax (RFC 9218 §4, §5, §7).
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::http2 {

struct PriorityParams {
  // RFC 9218 §4.1: 0 is the most urgent, 7 the least; 3 is the default.
  std::uint8_t urgency = 3;
  // RFC 9218 §4.2: whether the client can use partial data, so the server may interleave this response with
  // others of the same urgency.
  bool incremental = false;
  // Whether the client said anything: a request with no priority signal at all is scheduled as RFC 7540's
  // default (every stream a sibling of the root with equal weight, sharing bandwidth), which is what keeps a
  // small object from waiting behind a large one for clients that send no signal (curl, nghttp).
  bool signalled = false;

  friend bool operator==(const PriorityParams&, const PriorityParams&) = default;
};

// Parses a priority field value (an RFC 8941 dictionary) over `base`: members it names replace base's,
// the rest keep base's value (RFC 9218 §4: a missing parameter has its default; §7.1: PRIORITY_UPDATE
// replaces the whole signal, so callers pass a default PriorityParams there). Unknown keys and out-of-range
// or wrongly-typed urgency and incremental values are ignored (§4.1, §4.2); a value that is not a valid
// dictionary leaves `base` unchanged (RFC 8941 §4.2: the whole field fails to parse). The result has
// `signalled` set whenever the value parsed.
PriorityParams parse_priority(std::string_view field_value, PriorityParams base = {});

}  // namespace endhost::http2
