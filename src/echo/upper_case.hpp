// The echo protocol's whole transformation: the textbook's UDPServer/TCPServer answer each message
// upper-cased. ASCII letters only, so any other byte (UTF-8 included) passes through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace endhost::echo {

std::string upper_case(std::string_view text);
void upper_case_in_place(std::string& text);
// Appends `text` upper-cased to `out`, so a session can build a batch of replies in one buffer.
void append_upper_case(std::string& out, std::string_view text);

}  // namespace endhost::echo
