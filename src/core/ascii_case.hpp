// ASCII upper-casing of protocol text: the whole transformation of the echo servers (the textbook's
// UDPServer/TCPServer) and the ping server's reply. ASCII letters only, so any other byte (UTF-8 included)
// passes through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace endhost::core {

std::string upper_case(std::string_view text);
void upper_case_in_place(std::string& text);
// Appends `text` upper-cased to `out`, so a session can build a batch of replies in one buffer.
void append_upper_case(std::string& out, std::string_view text);

}  // namespace endhost::core
