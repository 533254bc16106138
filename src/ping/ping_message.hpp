// The UDP pinger's messages (the socket-programming lab): the client sends `Ping <seq> <time>` or, in
// heartbeat mode, `Heartbeat <seq> <time>`, with <time> in Unix seconds; the server answers a ping with the
// same text upper-cased (`PING 3 1732160000.123456`). Parsing accepts either case, so it reads both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::ping {

inline constexpr std::size_t kMaxMessage = 512;  // a ping is ~40 bytes; anything longer is not ours

enum class Kind { Ping, Heartbeat };

struct Message {
  Kind kind = Kind::Ping;
  std::uint64_t seq = 0;
  std::int64_t sent_unix_micros = 0;
  friend bool operator==(const Message&, const Message&) = default;
};

// `Ping 3 1732160000.123456`
std::string format_message(const Message& m);

// Reads a request or an (upper-cased) reply. Errors say what is wrong, for the server's transcript.
Expected<Message, std::string> parse_message(std::string_view text);

}  // namespace endhost::ping
