// The calendar day of an RFC 5322 §3.3 date-time ("Wed, 2 Dec 2026 16:59:35 +0100"), as written in its
// own zone: what SEARCH SENTBEFORE, SENTON and SENTSINCE compare (RFC 3501 §6.4.4: "disregarding time and
// timezone"). Lenient as §4.3 asks: comments, a missing day of the week, 2- and 3-digit years, month names in
// any case. The time and zone after the date are not needed and not checked.
#pragma once

#include <optional>
#include <string_view>

#include "imap/date_time.hpp"

namespace endhost::imap::message {

// nullopt when no valid day, month and year can be read (the day must exist in that month).
std::optional<Date> parse_message_date(std::string_view value);

}  // namespace endhost::imap::message
