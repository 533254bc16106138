// The test harness of the HTTP/2 server connection: a fake client that writes the preface and frames with
// the frame serializer and HPACK-encodes its field blocks, feeds the bytes to ServerConnection::receive()
// at instants of a manual clock, and reads take_output() back with a FrameReader and an HPACK decoder (file
// extents filled with a known byte pattern per stream); and a handler that records every call.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "http2/frame/frame_decoder.hpp"
#include "http2/frame/frame_reader.hpp"
#include "http2/frame/preface.hpp"
#include "http2/frame/serializer.hpp"
#include "http2/hpack/decoder.hpp"
#include "http2/hpack/encoder.hpp"
#include "http2/server_connection.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ENDHOST_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ENDHOST_TEST_ASAN 1
#endif
#ifdef ENDHOST_TEST_ASAN
// From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC does not install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

namespace endhost::http2::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Bytes the heap holds now: what an attack may not make grow without bound.
inline std::size_t heap_in_use() {
#ifdef ENDHOST_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

// The byte at `offset` of stream `stream`'s file: what the session would sendfile() for an extent.
inline char file_byte(std::uint32_t stream, std::uint64_t offset) {
  return static_cast<char>('a' + (stream * 7 + offset) % 26);
}
inline std::string file_bytes(std::uint32_t stream, std::uint64_t offset, std::uint64_t length) {
  std::string s;
  for (std::uint64_t i = 0; i < length; ++i) s.push_back(file_byte(stream, offset + i));
  return s;
}

// One call the connection made on its handler.
struct Event {
  enum Kind { request, chunk, reset, complete, drained } kind = request;
  std::uint32_t stream = 0;
  // on_request
  std::string method, target, host;
  Fields fields;
  http::BodyKind body = http::BodyKind::none;
  std::uint64_t length = 0;
  // on_request, on_data
  bool end_stream = false;
  std::string data;
  // on_reset
  ErrorCode code = ErrorCode::no_error;
  bool by_peer = false;

  std::string describe() const;
};

inline std::string Event::describe() const {
  std::string s;
  switch (kind) {
    case request:
      s = "request " + std::to_string(stream) + " " + method + " " + target + " host=" + host;
      for (const auto& [n, v] : fields) s += " " + n + "=" + v;
      if (end_stream) s += " END";
      break;
    case chunk:
      s = "data " + std::to_string(stream) + " [" + data + "]" + (end_stream ? " END" : "");
      break;
    case reset:
      s = "reset " + std::to_string(stream) + " " + std::string(name(code)) + (by_peer ? " peer" : " us");
      break;
    case complete:
      s = "complete " + std::to_string(stream);
      break;
    case drained:
      s = "drained " + std::to_string(stream);
      break;
  }
  return s;
}

class RecordingHandler : public ConnectionHandler {
 public:
  void on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) override {
    Event e;
    e.kind = Event::request;
    e.stream = stream;
    e.method = std::string(head.method);
    e.target = std::string(head.target);
    e.host = std::string(head.host);
    for (const auto& f : head.fields) e.fields.emplace_back(std::string(f.name), std::string(f.value));
    e.body = head.framing.kind;
    e.length = head.framing.length;
    e.end_stream = end_stream;
    events.push_back(std::move(e));
    if (on_request_hook) on_request_hook(stream, head, end_stream);
  }
  void on_data(std::uint32_t stream, std::string_view data, bool end_stream) override {
    Event e;
    e.kind = Event::chunk;
    e.stream = stream;
    e.data = std::string(data);
    e.end_stream = end_stream;
    events.push_back(std::move(e));
    if (on_data_hook) on_data_hook(stream, data, end_stream);
  }
  void on_reset(std::uint32_t stream, ErrorCode code, bool by_peer) override {
    Event e;
    e.kind = Event::reset;
    e.stream = stream;
    e.code = code;
    e.by_peer = by_peer;
    events.push_back(std::move(e));
  }
  void on_complete(std::uint32_t stream) override {
    Event e;
    e.kind = Event::complete;
    e.stream = stream;
    events.push_back(std::move(e));
  }
  void on_drained(std::uint32_t stream) override {
    Event e;
    e.kind = Event::drained;
    e.stream = stream;
    events.push_back(std::move(e));
  }

  std::vector<const Event*> of(Event::Kind kind, std::uint32_t stream = 0) const {
    std::vector<const Event*> out;
    for (const Event& e : events)
      if (e.kind == kind && (stream == 0 || e.stream == stream)) out.push_back(&e);
    return out;
  }
  std::size_t count(Event::Kind kind, std::uint32_t stream = 0) const { return of(kind, stream).size(); }
  // The request body the handler saw on `stream`, concatenated.
  std::string body(std::uint32_t stream) const {
    std::string s;
    for (const Event* e : of(Event::chunk, stream)) s += e->data;
    return s;
  }
  std::string log() const {
    std::string s;
    for (const Event& e : events) s += e.describe() + "\n";
    return s;
  }

  std::vector<Event> events;
  std::function<void(std::uint32_t, const http::RequestHead&, bool)> on_request_hook;
  std::function<void(std::uint32_t, std::string_view, bool)> on_data_hook;
};

class RecordingTrace : public FrameTrace {
 public:
  void frame(bool from_client, std::string_view line) override {
    lines.push_back(std::string(from_client ? "C: " : "S: ") + std::string(line));
  }
  bool has(std::string_view prefix, std::string_view contains = {}) const {
    for (const std::string& l : lines) {
      if (l.compare(0, prefix.size(), prefix) == 0 && l.find(contains) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<std::string> lines;
};

// A frame the server sent, with an owned copy of its bytes that its views point into.
struct Got {
  std::shared_ptr<const std::string> wire;
  Frame frame;
  FrameHeader header;
  // HEADERS / PUSH_PROMISE: the decoded fields of the whole block, on the frame that began it.
  std::vector<hpack::HeaderField> fields;

  FrameType type() const { return header.type; }
  std::uint32_t stream() const { return header.stream_id; }
  bool end_stream() const {
    return (type() == FrameType::data || type() == FrameType::headers) &&
           (header.flags & flags::end_stream) != 0;
  }
  std::optional<std::string> field(std::string_view name) const {
    for (const auto& f : fields)
      if (f.name == name) return f.value;
    return std::nullopt;
  }
  template <class T>
  const T& as() const {
    return std::get<T>(frame);
  }
};

inline ConnectionConfig small_windows() {
  ConnectionConfig c;
  c.stream_window = 65535;
  c.connection_window = 65535;
  return c;
}

// The fake client and the connection under test.
class Client {
 public:
  explicit Client(const ConnectionConfig& config = {}) : config_(config) {
    conn = std::make_unique<ServerConnection>(config_, handler, now);
  }

  // --- time
  void advance(core::Millis d) { now += d; }
  void tick() { conn->tick(now); }

  // --- writing
  void send(std::string_view bytes) {
    sent.append(bytes);
    conn->receive(bytes, now);
  }
  // Every frame goes in its own receive() unless `batch` collects them.
  void send_frame(const Frame& f) {
    std::string b;
    append_frame(b, f);
    send(b);
  }
  void preface(std::vector<Setting> settings = {}) {
    std::string b(kClientPreface);
    append_frame(b, SettingsFrame{false, std::move(settings)});
    send(b);
  }
  // Preface and SETTINGS, the server's preface read, its SETTINGS acknowledged.
  void start(std::vector<Setting> settings = {}) {
    for (const Setting& s : settings) {
      if (s.id == SettingId::max_frame_size) client_max_frame_ = s.value;
    }
    reader_.set_max_frame_size(client_max_frame_);
    preface(std::move(settings));
    read();
    send_frame(SettingsFrame{true, {}});
  }
  std::string block(const Fields& fields) {
    std::vector<hpack::FieldView> views;
    for (const auto& [n, v] : fields) views.push_back({n, v, false});
    std::string out;
    encoder.encode(views, out);
    return out;
  }
  static Fields get_fields(std::string_view path = "/", std::string_view method = "GET") {
    return {{":method", std::string(method)},
            {":scheme", "https"},
            {":authority", "example.com"},
            {":path", std::string(path)}};
  }
  void headers(std::uint32_t stream, const Fields& fields, bool end_stream) {
    const std::string b = block(fields);
    send_frame(Headers{stream, b, end_stream, true, std::nullopt, std::nullopt});
  }
  void get(std::uint32_t stream, std::string_view path = "/") { headers(stream, get_fields(path), true); }
  // A field block in HEADERS and as many CONTINUATIONs as `piece` calls for, in one receive().
  void headers_block(std::uint32_t stream, std::string_view block, bool end_stream,
                     std::size_t piece = 16384) {
    std::string b;
    const std::string_view first = block.substr(0, piece);
    block.remove_prefix(first.size());
    append_frame(b, Headers{stream, first, end_stream, block.empty(), std::nullopt, std::nullopt});
    while (!block.empty()) {
      const std::string_view next = block.substr(0, piece);
      block.remove_prefix(next.size());
      append_frame(b, Continuation{stream, next, block.empty()});
    }
    send(b);
  }
  void data(std::uint32_t stream, std::string_view bytes, bool end_stream) {
    send_frame(Data{stream, bytes, end_stream, std::nullopt});
  }
  void window_update(std::uint32_t stream, std::uint32_t increment) {
    send_frame(WindowUpdate{stream, increment});
  }
  void rst(std::uint32_t stream, ErrorCode code = ErrorCode::cancel) { send_frame(RstStream{stream, code}); }
  void ping(std::uint64_t v) {
    Ping p;
    for (int i = 0; i < 8; ++i)
      p.opaque[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    send_frame(p);
  }

  // --- reading
  // Takes the output (filling extents from each stream's file) and parses it; returns the new frames.
  std::vector<Got> read(std::size_t budget = 256 * 1024) {
    Output out;
    conn->take_output(out, budget);
    return parse(out);
  }
  // Reads until the connection has nothing more to give (or `rounds` runs out).
  std::vector<Got> read_all(int rounds = 1000) {
    std::vector<Got> all;
    for (int i = 0; i < rounds && conn->wants_output(); ++i) {
      auto got = read();
      all.insert(all.end(), got.begin(), got.end());
    }
    return all;
  }
  std::vector<Got> parse(const Output& out) {
    std::string bytes;
    std::size_t at = 0;
    for (const Output::Extent& e : out.extents) {
      EXPECT_LE(e.at, out.bytes.size());
      EXPECT_GE(e.at, at) << "extents out of order";
      EXPECT_GT(e.length, 0u) << "an empty extent";
      bytes.append(out.bytes, at, e.at - at);
      bytes += file_bytes(e.stream, file_offset_[e.stream], e.length);
      file_offset_[e.stream] += e.length;
      at = e.at;
    }
    bytes.append(out.bytes, at, std::string::npos);
    received_bytes += bytes.size();
    return parse_bytes(bytes);
  }
  std::vector<Got> parse_bytes(std::string_view bytes) {
    std::vector<Got> got;
    while (!bytes.empty()) {
      // Each frame is copied out so the views of the parsed one live as long as the Got.
      auto r = reader_.next(bytes);
      if (!r) {
        ADD_FAILURE() << "server output does not parse: " << r.error().reason;
        return got;
      }
      if (!r->has_value()) break;
      Got g;
      std::string copy;
      append_frame(copy, **r);
      g.wire = std::make_shared<const std::string>(std::move(copy));
      g.header = decode_frame_header(*g.wire);
      auto again = decode_frame(g.header, std::string_view(*g.wire).substr(kFrameHeaderSize));
      if (!again) {
        ADD_FAILURE() << "a frame does not re-read";
        return got;
      }
      g.frame = *again;
      check_frame(g);
      got.push_back(std::move(g));
      if (got.back().type() == FrameType::headers || got.back().type() == FrameType::push_promise ||
          got.back().type() == FrameType::continuation) {
        on_block_frame(got, frames.size() + got.size() - 1);
      }
    }
    for (Got& g : got) frames.push_back(g);
    // Fields decoded for a block whose first frame was in an earlier read are attached at the end.
    for (auto& [index, fields] : late_fields_) frames[index].fields = std::move(fields);
    late_fields_.clear();
    return got;
  }

  // Frames of one type (and stream), among everything read so far.
  std::vector<const Got*> all(FrameType type, std::optional<std::uint32_t> stream = std::nullopt) const {
    std::vector<const Got*> out;
    for (const Got& g : frames)
      if (g.type() == type && (!stream || g.stream() == *stream)) out.push_back(&g);
    return out;
  }
  const Got* goaway() const {
    auto g = all(FrameType::goaway);
    return g.empty() ? nullptr : g.back();
  }
  std::optional<ErrorCode> goaway_code() const {
    const Got* g = goaway();
    if (g == nullptr) return std::nullopt;
    return g->as<Goaway>().error;
  }
  std::optional<ErrorCode> rst_code(std::uint32_t stream) const {
    auto r = all(FrameType::rst_stream, stream);
    if (r.empty()) return std::nullopt;
    return r.back()->as<RstStream>().error;
  }
  // The response HEADERS (the final one) on a stream.
  const Got* response(std::uint32_t stream) const {
    for (const Got* g : all(FrameType::headers, stream)) {
      auto s = g->field(":status");
      if (s && (*s)[0] != '1') return g;
    }
    return nullptr;
  }
  // The DATA payload received on a stream so far.
  std::string body(std::uint32_t stream) const {
    std::string s;
    for (const Got* g : all(FrameType::data, stream)) s += g->as<Data>().data;
    return s;
  }
  bool ended(std::uint32_t stream) const {
    for (const Got& g : frames)
      if (g.stream() == stream && g.end_stream()) return true;
    return false;
  }
  // The index in `frames` of the frame that ended the stream, or -1.
  long end_index(std::uint32_t stream) const {
    for (std::size_t i = 0; i < frames.size(); ++i)
      if (frames[i].stream() == stream && frames[i].end_stream()) return static_cast<long>(i);
    return -1;
  }

  ConnectionConfig config_;
  core::Instant now{core::Millis(1'000'000)};
  RecordingHandler handler;
  std::unique_ptr<ServerConnection> conn;
  hpack::Encoder encoder;
  hpack::Decoder decoder;
  std::vector<Got> frames;
  std::string sent;                // every byte the client wrote
  std::size_t received_bytes = 0;  // every byte the server wrote
  std::uint32_t client_max_frame_ = kDefaultMaxFrameSize;
  // The server's SETTINGS_MAX_FRAME_SIZE as the client believes it (the frames it sends must fit).
  std::set<std::uint32_t> data_after_end;  // streams that got a frame after END_STREAM

 private:
  void check_frame(const Got& g) {
    EXPECT_LE(g.header.length, client_max_frame_) << "a frame over the client's SETTINGS_MAX_FRAME_SIZE";
    if (g.type() == FrameType::data || g.type() == FrameType::headers) {
      if (ended_.count(g.stream()) != 0) {
        data_after_end.insert(g.stream());
        ADD_FAILURE() << "a frame on stream " << g.stream() << " after its END_STREAM";
      }
      if (g.end_stream()) ended_.insert(g.stream());
    }
  }
  void on_block_frame(std::vector<Got>& got, std::size_t index) {
    Got& g = got[index - frames.size()];
    if (g.type() == FrameType::headers) {
      block_.assign(g.as<Headers>().fragment);
      block_start_ = index;
      if (!g.as<Headers>().end_headers) return;
    } else if (g.type() == FrameType::push_promise) {
      block_.assign(g.as<PushPromise>().fragment);
      block_start_ = index;
      if (!g.as<PushPromise>().end_headers) return;
    } else {
      block_.append(g.as<Continuation>().fragment);
      if (!g.as<Continuation>().end_headers) return;
    }
    std::vector<hpack::HeaderField> fields;
    auto r = decoder.decode(block_, fields);
    EXPECT_TRUE(r.has_value()) << "server field block does not decode";
    if (block_start_ >= frames.size()) {
      got[block_start_ - frames.size()].fields = std::move(fields);
    } else {
      late_fields_.emplace_back(block_start_, std::move(fields));
    }
  }

  FrameReader reader_{kDefaultMaxFrameSize};
  std::string block_;
  std::size_t block_start_ = 0;
  std::vector<std::pair<std::size_t, std::vector<hpack::HeaderField>>> late_fields_;
  std::map<std::uint32_t, std::uint64_t> file_offset_;
  std::set<std::uint32_t> ended_;
};

// Feeds `wire` to a fresh connection cut at every pair of offsets (i, j): the connection must see the
// same thing as when it arrives whole. `run` gets each client after the bytes went in.
template <class Check>
void for_every_split(std::string_view wire, const ConnectionConfig& config, Check&& check) {
  for (std::size_t i = 0; i <= wire.size(); ++i) {
    Client c(config);
    const std::string a(wire.substr(0, i)), b(wire.substr(i));
    c.conn->receive(a, c.now);
    c.conn->receive(b, c.now);
    check(c, i);
  }
}

}  // namespace endhost::http2::test
