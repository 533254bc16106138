// The client connection preface (RFC 9113 §3.4): the 24 octets a client sends before its first frame, on
// TLS after ALPN "h2" and on cleartext with prior knowledge (§3.3). A server that serves HTTP/1.1 and h2c on
// one port reads a few bytes and asks match_preface(): still `partial` means keep reading, `mismatch` means
// it is not HTTP/2 (for HTTP/1.1 the bytes go to the HTTP/1 parser untouched).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/expected.hpp"
#include "http2/frame/frame_error.hpp"

namespace endhost::http2 {

inline constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
static_assert(kClientPreface.size() == 24);

enum class PrefaceMatch : std::uint8_t {
  partial,   // `bytes` is a proper prefix of the preface (or empty): it may still be HTTP/2
  complete,  // `bytes` starts with the whole preface
  mismatch,  // `bytes` cannot be the start of the preface
};

// Compares `bytes` with the preface without consuming anything.
PrefaceMatch match_preface(std::string_view bytes) noexcept;

// True while `bytes` could still be (the start of) the preface: partial or complete.
inline bool could_be_preface(std::string_view bytes) noexcept {
  return match_preface(bytes) != PrefaceMatch::mismatch;
}

// PrefaceReader: consumes and verifies the preface from arbitrary chunks, as a server does before its
// FrameReader sees a byte. Keeps no copy: only how many octets have matched.
class PrefaceReader {
 public:
  // Consumes preface bytes from the front of `input` (never more than the preface). true: the whole preface
  // has arrived and `input` holds what follows it (the client's SETTINGS, §3.4); false: all of `input` was
  // consumed and more is needed. A mismatch is a connection error PROTOCOL_ERROR (§3.4) and stays so.
  Expected<bool, FrameError> consume(std::string_view& input) noexcept;

  bool done() const noexcept { return matched_ == kClientPreface.size(); }

 private:
  std::size_t matched_ = 0;
  bool failed_ = false;
};

}  // namespace endhost::http2
