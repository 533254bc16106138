// Fuzz the whole HTTP/2 server connection. The target prepends the client preface itself, so the input is
// two control bytes and then frames. Byte 0 picks the size of the chunks the frames arrive in; byte 1 the
// configuration (default, small windows, tight limits, no push), how far the clock moves between chunks,
// whether the output is read after every chunk, and whether the server shuts down halfway. A handler answers
// each request according to its stream id: headers only, headers and a body in memory, a file extent, a
// reset, a push, or later from the main loop. Between chunks the output is taken and checked: every frame
// parses with a FrameReader (so header blocks are contiguous), every field block decodes with an HPACK
// decoder, no frame exceeds the client's MAX_FRAME_SIZE, nothing follows END_STREAM on a stream, the
// connection-level DATA never exceeds the window the client gave, and the output stays bounded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "http2/frame/frame_reader.hpp"
#include "http2/frame/preface.hpp"
#include "http2/hpack/decoder.hpp"
#include "http2/server_connection.hpp"

namespace {

using namespace endhost;
using namespace endhost::http2;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

ConnectionConfig config_for(unsigned variant) {
  ConnectionConfig c;
  switch (variant) {
    case 1:
      c.stream_window = 65535;
      c.connection_window = 65535;
      break;
    case 2:
      c.max_concurrent_streams = 4;
      c.stream_window = 65535;
      c.connection_window = 65535;
      c.max_header_list_size = 2000;
      c.max_field_block = 20000;
      c.flood_budget = 50;
      c.flood_refill_per_second = 10;
      c.reset_budget = 10;
      c.reset_refill_per_second = 2;
      c.max_queued_control = 4096;
      c.min_data_frame = 100;
      c.stall_timeout = core::Millis(2000);
      c.settings_timeout = core::Millis(1000);
      break;
    case 3:
      c.push = false;
      c.header_table_size = 256;
      break;
    default:
      break;
  }
  return c;
}

constexpr std::int64_t kSteps[] = {0, 1, 10, 100, 1000, 5000, 15000, 40000};

class Handler : public ConnectionHandler {
 public:
  ServerConnection* conn = nullptr;
  std::set<std::uint32_t> pending;  // requests to answer from the main loop
  std::set<std::uint32_t> live;     // streams the handler knows

  void on_request(std::uint32_t stream, const http::RequestHead& head, bool) override {
    check(stream % 2 == 1);
    check(live.insert(stream).second);
    check(!head.method.empty());
    static constexpr http::FieldView kType[] = {{"Content-Type", "text/plain"}, {"Connection", "close"}};
    switch ((stream / 2) % 6) {
      case 0:
        conn->submit_headers(stream, 204, {}, true);
        break;
      case 1:
        conn->submit_headers(stream, 200, kType, false);
        conn->submit_data(stream, head.target, true);
        break;
      case 2:
        conn->submit_headers(stream, 200, {}, false);
        conn->submit_extent(stream, 3000 + stream % 20000, false);
        conn->submit_data(stream, "end", true);
        break;
      case 3:
        conn->reset(stream, ErrorCode::cancel);
        break;
      case 4: {
        static constexpr http::FieldView kPush[] = {
            {":method", "GET"}, {":scheme", "https"}, {":authority", "fuzz"}, {":path", "/pushed"}};
        if (auto id = conn->push(stream, kPush)) {
          check(*id % 2 == 0);
          check(conn->request_head(*id) != nullptr);
          live.insert(*id);
          conn->submit_headers(*id, 200, {}, false);
          conn->submit_data(*id, "pushed body", true);
        }
        conn->submit_headers(stream, 100, {}, false);
        conn->submit_headers(stream, 200, {}, true);
        break;
      }
      default:
        pending.insert(stream);
        break;
    }
  }
  void on_data(std::uint32_t stream, std::string_view data, bool) override {
    check(live.count(stream) == 1);
    conn->release(stream, data.size());
  }
  void on_reset(std::uint32_t stream, ErrorCode, bool) override { gone(stream); }
  void on_complete(std::uint32_t stream) override { gone(stream); }
  void on_drained(std::uint32_t stream) override { check(live.count(stream) == 1); }

  void answer_pending() {
    for (std::uint32_t id : std::vector<std::uint32_t>(pending.begin(), pending.end())) {
      pending.erase(id);
      if (conn->submit_headers(id, 200, {}, false)) {
        conn->submit_extent(id, 20000, false);
        conn->submit_data(id, std::string(5000, 'x'), true);
      }
    }
  }

 private:
  void gone(std::uint32_t stream) {
    check(live.erase(stream) == 1);  // once, and only for a stream the handler knew
    pending.erase(stream);
  }
};

// The client's view of what the server sends.
class Reader {
 public:
  Reader() : reader_(kMaxAllowedFrameSize), decoder_({4096, 1u << 24}) {}

  void read(const Output& out, std::uint32_t max_frame_size) {
    std::string bytes;
    std::size_t at = 0;
    for (const Output::Extent& e : out.extents) {
      check(e.at >= at && e.at <= out.bytes.size());
      check(e.length > 0);
      bytes.append(out.bytes, at, e.at - at);
      bytes.append(e.length, 'f');
      at = e.at;
    }
    bytes.append(out.bytes, at, std::string::npos);
    std::string_view in = bytes;
    while (!in.empty()) {
      auto r = reader_.next(in);
      check(r.has_value());  // the server's frames are valid, header blocks contiguous
      if (!*r) break;
      on_frame(**r, max_frame_size);
    }
  }
  std::uint64_t data_sent = 0;  // DATA payload on the connection
  bool goaway = false;

 private:
  void on_frame(const Frame& frame, std::uint32_t max_frame_size) {
    const FrameHeader h = header_of(frame);
    check(h.length <= max_frame_size);
    if (const auto* d = std::get_if<Data>(&frame)) {
      check(ended_.count(d->stream_id) == 0);
      check(d->stream_id != 0);
      data_sent += d->data.size();
      if (d->end_stream) ended_.insert(d->stream_id);
    } else if (const auto* hd = std::get_if<Headers>(&frame)) {
      check(ended_.count(hd->stream_id) == 0);
      if (hd->end_stream) ended_.insert(hd->stream_id);
      block(hd->fragment, hd->end_headers);
    } else if (const auto* pp = std::get_if<PushPromise>(&frame)) {
      check(pp->promised_stream_id % 2 == 0);
      block(pp->fragment, pp->end_headers);
    } else if (const auto* c = std::get_if<Continuation>(&frame)) {
      block_.append(c->fragment);
      if (c->end_headers) decode();
    } else if (std::holds_alternative<Goaway>(frame)) {
      goaway = true;
    }
  }
  void block(std::string_view fragment, bool end) {
    block_.assign(fragment);
    if (end) decode();
  }
  void decode() {
    std::vector<hpack::HeaderField> fields;
    check(decoder_.decode(block_, fields).has_value());
  }

  FrameReader reader_;
  hpack::Decoder decoder_;
  std::string block_;
  std::set<std::uint32_t> ended_;
};

// The connection window the client's frames grant at most (their WINDOW_UPDATEs on stream 0).
std::uint64_t granted(std::string_view frames, std::uint32_t max_frame_size) {
  FrameReader reader(max_frame_size);
  std::uint64_t sum = 65535;
  while (!frames.empty()) {
    auto r = reader.next(frames);
    if (!r) {
      if (r.error().connection) break;
      continue;
    }
    if (!*r) break;
    if (const auto* w = std::get_if<WindowUpdate>(&**r); w != nullptr && w->stream_id == 0)
      sum += w->increment;
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = data[0] == 0 ? size : 1 + data[0] % 97;
  const unsigned bits = data[1];
  const ConnectionConfig config = config_for(bits & 3);
  const bool read_every_chunk = (bits & 4) == 0;
  const bool shutdown_halfway = (bits & 8) != 0;
  const core::Millis step(kSteps[(bits >> 4) & 7]);
  const std::string_view frames(reinterpret_cast<const char*>(data) + 2, size - 2);

  core::Instant now{core::Millis(1'000'000)};
  Handler handler;
  ServerConnection conn(config, handler, now);
  handler.conn = &conn;
  Reader reader;

  std::string wire(kClientPreface);
  wire += frames;
  const std::size_t chunks = (wire.size() + piece - 1) / piece;
  std::size_t index = 0;
  Output out;
  auto take = [&]() {
    const std::uint32_t max_before = conn.peer_settings().max_frame_size;
    out.clear();
    conn.take_output(out);
    // Control frames are capped by max_queued_control; HEADERS by the requests of the chunk; DATA by the
    // budget and a frame.
    check(out.size() <= config.max_queued_control + 256 * 1024 + 2 * 16384 + 256 * piece + 64 * 1024);
    reader.read(out, std::max(max_before, conn.peer_settings().max_frame_size));
  };
  for (std::size_t at = 0; at < wire.size(); at += piece, ++index) {
    const std::string chunk(wire.substr(at, piece));  // its own allocation: ASan sees views that outlive it
    conn.receive(chunk, now);
    check(conn.open_streams() <= config.max_concurrent_streams);
    handler.answer_pending();
    if (shutdown_halfway && index == chunks / 2) conn.shutdown();
    now += step;
    conn.tick(now);
    if (auto d = conn.next_deadline()) check(*d > now);  // what was due has been done
    if (read_every_chunk || index % 2 == 1) take();
    if (conn.error()) check(conn.closing() && conn.done());
  }
  for (int i = 0; i < 64 && conn.wants_output(); ++i) take();
  if (conn.error()) {
    check(reader.goaway);
    check(!conn.wants_output());
    check(conn.open_streams() == 0);
    check(handler.live.empty());  // every stream the handler knew was ended
  }
  check(reader.data_sent <= granted(frames, config.max_frame_size));
  return 0;
}
