// What an HTTP/2 server connection advertises and tolerates: its SETTINGS, its windows, and the budgets that
// end the attacks of the 2019 HTTP/2 DoS family, rapid reset (CVE-2023-44487) and CONTINUATION floods
// (docs/internals/http2.md, "Limits").
#pragma once

#include <cstdint>

#include "core/clock.hpp"

namespace endhost::http2 {

struct ConnectionConfig {
  // SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §5.1.2): a HEADERS past it is refused with REFUSED_STREAM.
  std::uint32_t max_concurrent_streams = 100;
  // SETTINGS_INITIAL_WINDOW_SIZE: what a client may send on one stream before we return credit (§6.9.2).
  std::uint32_t stream_window = 1u << 20;
  // The connection's receive window, raised from 65,535 by a WINDOW_UPDATE right after our SETTINGS.
  std::uint32_t connection_window = 16u << 20;
  // SETTINGS_MAX_FRAME_SIZE we accept (§4.2).
  std::uint32_t max_frame_size = 16384;
  // SETTINGS_MAX_HEADER_LIST_SIZE (§6.5.2): a request over it is answered 431 (§10.5.1).
  std::uint32_t max_header_list_size = 64 * 1024;
  // SETTINGS_HEADER_TABLE_SIZE for the client's encoder (RFC 7541 §4.2).
  std::uint32_t header_table_size = 4096;
  // The compressed field block, fragments summed over HEADERS and its CONTINUATIONs: past it the
  // connection ends with ENHANCE_YOUR_CALM (a CONTINUATION flood never ends its block).
  std::uint32_t max_field_block = 128 * 1024;
  // Server push (RFC 9113 §8.4) when the client allows it (SETTINGS_ENABLE_PUSH).
  bool push = true;
  // How long the client has to acknowledge our SETTINGS (§6.5.3): SETTINGS_TIMEOUT after it.
  core::Millis settings_timeout{10'000};
  // How long a response may wait on a window the client keeps shut (zero-window stalls, CVE-2019-9517's
  // family): a stream blocked on its own window that long gets RST_STREAM(CANCEL) and the connection goes
  // on; a connection window kept shut that long ends the connection (ENHANCE_YOUR_CALM). The web server sets
  // it to its --send-timeout (default 30 s), the proxy to its send_timeout (60 s, no option): the time a
  // client may stall reading a response over HTTP/1.1 too (src/http/server/h2_session.cpp, proxy/).
  core::Millis stall_timeout{30'000};
  // The frames that cost work but carry no request (SETTINGS, PING, PRIORITY, WINDOW_UPDATE on a stream,
  // PRIORITY_UPDATE, empty DATA or CONTINUATION, unknown types, refused streams): a token bucket of this
  // size that refills at `flood_refill_per_second`; running dry ends the connection with ENHANCE_YOUR_CALM
  // (CVE-2019-9512 ping flood, 9515 settings flood, 9516 empty headers, 9518 empty frames).
  std::uint32_t flood_budget = 1000;
  std::uint32_t flood_refill_per_second = 200;
  // Streams the client resets before their response is complete: a bucket of its own, so a rapid-reset
  // attack (CVE-2023-44487) ends with ENHANCE_YOUR_CALM while a browser that cancels a few images does not.
  std::uint32_t reset_budget = 200;
  std::uint32_t reset_refill_per_second = 50;
  // Bytes of frames we owe the client (ACKs, RST_STREAMs, WINDOW_UPDATEs) that it has not read: past this,
  // it is making us queue without reading (CVE-2019-9512, 9514) and the connection ends.
  std::uint32_t max_queued_control = 64 * 1024;
  // DATA frames smaller than this wait for a larger window unless they finish the body, so a client that
  // opens its window a byte at a time cannot make us send a frame per byte (CVE-2019-9511).
  std::uint32_t min_data_frame = 1024;
};

}  // namespace endhost::http2
