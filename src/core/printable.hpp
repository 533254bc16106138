// Text from the network made safe to show on a terminal or a web page: control bytes other than tab are
// escaped as \xNN, so a transcript line can never move the cursor, clear a screen or break a line.
#pragma once

#include <string>
#include <string_view>

namespace endhost::core {

std::string printable(std::string_view text);

}  // namespace endhost::core
