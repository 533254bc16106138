// Conditional requests (RFC 9110 §13): evaluates If-Match, If-Unmodified-Since, If-None-Match,
// If-Modified-Since and If-Range against the selected representation, in the order of §13.2.2, so the
// answer is the one the RFC prescribes when several are present (e.g. If-None-Match wins over
// If-Modified-Since).
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

#include "http/fields.hpp"
#include "http/method.hpp"

namespace endhost::web {

// What the server knows about the target resource's current representation.
struct Validators {
  bool exists = false;
  std::string_view etag;  // with quotes (and W/ if weak); empty when none
  std::optional<std::time_t> last_modified;
};

enum class Precondition {
  proceed,              // perform the method
  not_modified,         // 304 (GET/HEAD only)
  precondition_failed,  // 412
};

struct ConditionalResult {
  Precondition outcome = Precondition::proceed;
  // §13.2.2 step 5: a Range field may be honoured (no If-Range, or If-Range matched). Only meaningful for
  // GET.
  bool range_allowed = true;
};

// `now` bounds If-Modified-Since: a date in the future is ignored (§13.1.3: it cannot be a valid
// Last-Modified the client saw).
ConditionalResult evaluate_conditionals(http::Method method, http::FieldsView fields, const Validators& v,
                                        std::time_t now);

}  // namespace endhost::web
