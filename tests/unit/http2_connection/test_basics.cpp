// The server connection's conversation: prefaces and SETTINGS, requests into RequestHead, responses in
// memory and as extents, request bodies and their credit, malformed requests, trailers, stream-state
// errors, PING, RST_STREAM, GOAWAY and shutdown, MAX_CONCURRENT_STREAMS, push, the trace, byte splits.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace endhost::http2::test {
namespace {

using http::FieldView;

Fields regular(const Event& e) {
  return e.fields;
}

// --- prefaces and SETTINGS ------------------------------------------------------------------------------

TEST(Http2Connection, ServerPrefaceIsSettingsThenConnectionWindowUpdate) {
  Client c;
  c.preface();
  const auto got = c.read();
  ASSERT_GE(got.size(), 3u);
  ASSERT_EQ(got[0].type(), FrameType::settings);
  const auto& s = got[0].as<SettingsFrame>();
  EXPECT_FALSE(s.ack);
  Settings advertised;
  ASSERT_TRUE(advertised.apply(s.settings).has_value());
  EXPECT_EQ(advertised.max_concurrent_streams, 100u);
  EXPECT_EQ(advertised.initial_window_size, 1u << 20);
  EXPECT_TRUE(advertised.no_rfc7540_priorities);
  EXPECT_TRUE(advertised.enable_push) << "a server must not send ENABLE_PUSH=1, nor 0 needlessly";
  for (const Setting& x : s.settings) EXPECT_NE(x.id, SettingId::enable_push);
  ASSERT_EQ(got[1].type(), FrameType::window_update);
  EXPECT_EQ(got[1].as<WindowUpdate>().stream_id, 0u);
  EXPECT_EQ(got[1].as<WindowUpdate>().increment, (16u << 20) - 65535u);
  // The client's SETTINGS is acknowledged.
  ASSERT_EQ(got[2].type(), FrameType::settings);
  EXPECT_TRUE(got[2].as<SettingsFrame>().ack);
  EXPECT_FALSE(c.conn->closing());
}

TEST(Http2Connection, NoWindowUpdateWhenTheConnectionWindowIsTheDefault) {
  Client c(small_windows());
  c.preface();
  const auto got = c.read();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type(), FrameType::settings);
  EXPECT_EQ(got[1].type(), FrameType::settings);
  EXPECT_TRUE(got[1].as<SettingsFrame>().ack);
}

TEST(Http2Connection, ClientSettingsAreApplied) {
  Client c;
  c.start({{SettingId::max_frame_size, 20000}, {SettingId::initial_window_size, 1234}});
  EXPECT_EQ(c.conn->peer_settings().max_frame_size, 20000u);
  EXPECT_EQ(c.conn->peer_settings().initial_window_size, 1234u);
}

TEST(Http2Connection, SettingsAckTimeoutEndsTheConnection) {
  Client c;
  c.preface();
  c.read();
  ASSERT_TRUE(c.conn->next_deadline().has_value());
  EXPECT_EQ(*c.conn->next_deadline(), c.now + core::Millis(10'000));
  c.advance(core::Millis(9'999));
  c.tick();
  EXPECT_EQ(c.goaway(), nullptr);
  c.advance(core::Millis(1));
  c.tick();
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::settings_timeout);
  EXPECT_TRUE(c.conn->closing());
  EXPECT_TRUE(c.conn->done());
}

TEST(Http2Connection, SettingsAckStopsTheTimer) {
  Client c;
  c.start();
  EXPECT_FALSE(c.conn->next_deadline().has_value());
  c.advance(core::Millis(60'000));
  c.tick();
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2Connection, BadPrefaceIsProtocolError) {
  Client c;
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  EXPECT_TRUE(c.conn->closing());
  EXPECT_EQ(c.conn->error(), ErrorCode::protocol_error);
}

TEST(Http2Connection, FirstFrameNotSettingsIsProtocolError) {
  Client c;
  std::string b(kClientPreface);
  append_frame(b, Ping{false, {}});
  c.send(b);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  EXPECT_TRUE(c.all(FrameType::ping).empty()) << "nothing after the error is acted on";
}

TEST(Http2Connection, FirstFrameSettingsAckIsProtocolError) {
  Client c;
  std::string b(kClientPreface);
  append_frame(b, SettingsFrame{true, {}});
  c.send(b);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
}

TEST(Http2Connection, InvalidSettingValueIsConnectionError) {
  Client c;
  c.preface({{SettingId::enable_push, 2}});
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  Client d;
  d.preface({{SettingId::initial_window_size, 0x80000000u}});
  d.read();
  EXPECT_EQ(d.goaway_code(), ErrorCode::flow_control_error);
}

// --- requests -------------------------------------------------------------------------------------------

TEST(Http2Connection, GetGivesRequestHead) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/index.html?q=1");
  f.emplace_back("user-agent", "test/1");
  f.emplace_back("accept", "*/*");
  c.headers(1, f, true);
  ASSERT_EQ(c.handler.count(Event::request), 1u) << c.handler.log();
  const Event& e = *c.handler.of(Event::request)[0];
  EXPECT_EQ(e.stream, 1u);
  EXPECT_EQ(e.method, "GET");
  EXPECT_EQ(e.target, "/index.html?q=1");
  EXPECT_EQ(e.host, "example.com");
  EXPECT_TRUE(e.end_stream);
  EXPECT_EQ(regular(e), (Fields{{"user-agent", "test/1"}, {"accept", "*/*"}}));
  EXPECT_EQ(e.body, http::BodyKind::none);
  EXPECT_EQ(c.conn->open_streams(), 1u);
  const http::RequestHead* head = c.conn->request_head(1);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->version, kHttp2);
  EXPECT_EQ(head->method_id, http::Method::get);
}

TEST(Http2Connection, CookieCrumbsAreJoined) {
  Client c;
  c.start();
  Fields f = Client::get_fields();
  f.emplace_back("cookie", "a=1");
  f.emplace_back("cookie", "b=2");
  c.headers(1, f, true);
  ASSERT_EQ(c.handler.count(Event::request), 1u);
  EXPECT_EQ(regular(*c.handler.of(Event::request)[0]), (Fields{{"cookie", "a=1; b=2"}}));
}

TEST(Http2Connection, ResponseInMemoryWithFieldsLowercasedAndConnectionFieldsDropped) {
  Client c;
  c.start();
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead&, bool) {
    const FieldView fields[] = {{"Content-Type", "text/plain"},
                                {"Connection", "close"},
                                {"Transfer-Encoding", "chunked"},
                                {"Keep-Alive", "5"},
                                {"X-Custom-Thing", "Value Kept"},
                                {"TE", "trailers"},
                                {"upgrade", "h2c"},
                                {"Proxy-Connection", "x"}};
    EXPECT_TRUE(c.conn->submit_headers(stream, 200, fields, false));
    EXPECT_TRUE(c.conn->submit_data(stream, "hello, ", false));
    EXPECT_TRUE(c.conn->submit_data(stream, "world", true));
    EXPECT_FALSE(c.conn->submit_data(stream, "more", true)) << "after the end";
  };
  c.get(1);
  c.read_all();
  const Got* h = c.response(1);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->field(":status"), "200");
  EXPECT_EQ(h->fields[0].name, ":status");
  EXPECT_EQ(h->field("content-type"), "text/plain");
  EXPECT_EQ(h->field("x-custom-thing"), "Value Kept");
  for (const char* n : {"connection", "transfer-encoding", "keep-alive", "te", "upgrade", "proxy-connection",
                        "Content-Type"}) {
    EXPECT_FALSE(h->field(n).has_value()) << n;
  }
  EXPECT_FALSE(h->end_stream());
  EXPECT_EQ(c.body(1), "hello, world");
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.all(FrameType::data, 1u).back()->end_stream(), true);
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u) << c.handler.log();
  EXPECT_EQ(c.handler.count(Event::reset), 0u);
  EXPECT_EQ(c.conn->open_streams(), 0u);
  EXPECT_FALSE(c.conn->submit_headers(1, 200, {}, true)) << "the stream is gone";
}

TEST(Http2Connection, HeadersOnlyResponseEndsTheStream) {
  Client c;
  c.start();
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead&, bool) {
    EXPECT_TRUE(c.conn->submit_headers(stream, 204, {}, true));
  };
  c.get(1);
  c.read_all();
  const Got* h = c.response(1);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->field(":status"), "204");
  EXPECT_TRUE(h->end_stream());
  EXPECT_TRUE(c.all(FrameType::data).empty());
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u);
}

TEST(Http2Connection, InterimResponsesThenFinal) {
  Client c;
  c.start();
  c.get(1);
  EXPECT_TRUE(c.conn->submit_headers(1, 103, std::vector<FieldView>{{"link", "</a.css>"}}, true));
  EXPECT_TRUE(c.conn->submit_headers(1, 103, {}, false));
  EXPECT_FALSE(c.conn->submit_data(1, "x", false)) << "no body before the final head";
  EXPECT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  c.read_all();
  const auto hs = c.all(FrameType::headers, 1u);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(hs[0]->field(":status"), "103");
  EXPECT_FALSE(hs[0]->end_stream()) << "an interim response never ends the stream";
  EXPECT_EQ(hs[2]->field(":status"), "200");
  EXPECT_TRUE(hs[2]->end_stream());
}

TEST(Http2Connection, ResponseAsExtentsAndMemory) {
  Client c;
  c.start();
  c.get(1);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, std::vector<FieldView>{{"content-length", "40004"}}, false));
  ASSERT_TRUE(c.conn->submit_extent(1, 40000, false));
  EXPECT_EQ(c.conn->queued(1), 40000u);
  ASSERT_TRUE(c.conn->submit_data(1, "tail", true));
  Output out;
  c.conn->take_output(out);
  EXPECT_FALSE(out.extents.empty());
  std::uint64_t extent_bytes = 0;
  for (const auto& e : out.extents) {
    EXPECT_EQ(e.stream, 1u);
    extent_bytes += e.length;
  }
  EXPECT_EQ(extent_bytes, 40000u);
  EXPECT_LT(out.bytes.size(), 1000u) << "file bytes are not copied";
  c.parse(out);
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 40000) + "tail");
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.conn->queued(1), 0u);
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u);
}

TEST(Http2Connection, EmptyExtentEndsTheBody) {
  Client c;
  c.start();
  c.get(1);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, false));
  ASSERT_TRUE(c.conn->submit_extent(1, 100, false));
  ASSERT_TRUE(c.conn->submit_extent(1, 0, true));
  c.read_all();
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 100));
  EXPECT_TRUE(c.ended(1));
  for (const Got* d : c.all(FrameType::data))
    EXPECT_TRUE(d->as<Data>().data.size() > 0 || d->end_stream()) << "an empty DATA frame that ends nothing";
}

TEST(Http2Connection, StreamedBodyIsDrainedThenContinued) {
  Client c;
  c.start();
  c.get(1);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, false));
  ASSERT_TRUE(c.conn->submit_data(1, "part1", false));
  c.read_all();
  EXPECT_EQ(c.handler.count(Event::drained, 1), 1u);
  EXPECT_FALSE(c.ended(1));
  ASSERT_TRUE(c.conn->submit_data(1, "part2", true));
  c.read_all();
  EXPECT_EQ(c.body(1), "part1part2");
  EXPECT_TRUE(c.ended(1));
}

TEST(Http2Connection, ResponseCompleteBeforeTheBodyResetsWithNoError) {
  // §8.1: answered while the request body is still coming: the response ends, then RST_STREAM(NO_ERROR)
  // asks the client to stop sending, and the stream counts as completed, not reset.
  Client c;
  c.start();
  Fields f = Client::get_fields("/upload", "PUT");
  c.headers(1, f, false);
  ASSERT_TRUE(c.conn->submit_headers(1, 405, {}, true));
  c.read();
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.rst_code(1), ErrorCode::no_error);
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u);
  EXPECT_EQ(c.handler.count(Event::reset, 1), 0u);
  c.data(1, "late bytes", true);  // in flight when the reset went out: ignored, not answered
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2Connection, ConnectTunnelHalfClosesInsteadOfResetting) {
  // §8.5: after a 2xx to CONNECT, our END_STREAM (the origin's FIN) leaves the client's half open: its DATA
  // still arrives, and its END_STREAM completes the stream. No RST_STREAM(NO_ERROR) as in §8.1.
  Client c;
  c.start();
  c.headers(1, {{":method", "CONNECT"}, {":authority", "example.com:443"}}, false);
  ASSERT_EQ(c.handler.count(Event::request, 1), 1u);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, false));
  ASSERT_TRUE(c.conn->submit_data(1, "from the origin", true));
  c.read_all();
  EXPECT_EQ(c.body(1), "from the origin");
  EXPECT_EQ(c.rst_code(1), std::nullopt);
  c.data(1, "still going", false);
  c.data(1, "", true);
  c.read_all();
  EXPECT_EQ(c.handler.body(1), "still going");
  EXPECT_EQ(c.rst_code(1), std::nullopt);
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u);
  EXPECT_EQ(c.handler.count(Event::reset, 1), 0u);
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2Connection, RequestBodyWithContentLengthAndCredit) {
  Client c(small_windows());
  c.start();
  Fields f = Client::get_fields("/upload", "POST");
  f.emplace_back("content-length", "40000");
  c.headers(1, f, false);
  ASSERT_EQ(c.handler.count(Event::request), 1u);
  EXPECT_EQ(c.handler.of(Event::request)[0]->body, http::BodyKind::length);
  EXPECT_EQ(c.handler.of(Event::request)[0]->length, 40000u);
  EXPECT_FALSE(c.handler.of(Event::request)[0]->end_stream);
  const std::string body = file_bytes(9, 0, 40000);
  c.data(1, std::string_view(body).substr(0, 16384), false);
  c.data(1, std::string_view(body).substr(16384, 16384), false);
  c.data(1, std::string_view(body).substr(32768), true);
  EXPECT_EQ(c.handler.body(1), body);
  ASSERT_FALSE(c.handler.of(Event::chunk, 1).empty());
  EXPECT_TRUE(c.handler.of(Event::chunk, 1).back()->end_stream);
  c.read();
  EXPECT_TRUE(c.all(FrameType::window_update).empty()) << "no credit before the handler releases";
  c.conn->release(1, 40000);
  c.read();
  const auto wu = c.all(FrameType::window_update);
  std::uint64_t stream = 0, connection = 0;
  for (const Got* g : wu) {
    (g->stream() == 0 ? connection : stream) += g->as<WindowUpdate>().increment;
  }
  EXPECT_EQ(connection, 40000u);
  EXPECT_EQ(stream, 0u) << "the client ended the stream: no credit for it is useful";
}

TEST(Http2Connection, ReleaseReturnsStreamAndConnectionCredit) {
  Client c(small_windows());
  c.start();
  Fields f = Client::get_fields("/upload", "POST");
  c.headers(1, f, false);
  const std::string chunk(16000, 'x');
  for (int i = 0; i < 3; ++i) c.data(1, chunk, false);
  EXPECT_EQ(c.handler.body(1).size(), 48000u);
  EXPECT_EQ(c.handler.of(Event::request)[0]->body, http::BodyKind::chunked);
  c.conn->release(1, 48000);
  c.read();
  std::uint64_t stream = 0, connection = 0;
  for (const Got* g : c.all(FrameType::window_update)) {
    (g->stream() == 0 ? connection : stream) += g->as<WindowUpdate>().increment;
  }
  EXPECT_EQ(stream, 48000u);
  EXPECT_EQ(connection, 48000u);
  // With the credit back, the client can send a full window again.
  for (int i = 0; i < 3; ++i) c.data(1, chunk, false);
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_FALSE(c.rst_code(1).has_value());
}

TEST(Http2Connection, PaddingCreditIsReturnedWithoutRelease) {
  Client c(small_windows());
  c.start();
  c.headers(1, Client::get_fields("/u", "POST"), false);
  // 300 frames of 10 data octets and 1 + 255 of padding: 79,800 flow-controlled octets, more than the
  // windows, while the handler releases nothing. The padding's credit must come back on its own, for the
  // stream and the connection; the client sends only what the windows it was told allow.
  std::int64_t stream_window = 65535, connection_window = 65535;
  int sent = 0;
  for (int i = 0; i < 300; ++i) {
    if (stream_window < 266 || connection_window < 266) break;
    c.send_frame(Data{1, "0123456789", false, std::uint8_t{255}});
    stream_window -= 266;
    connection_window -= 266;
    ++sent;
    for (const Got& g : c.read()) {
      if (g.type() != FrameType::window_update) continue;
      (g.stream() == 0 ? connection_window : stream_window) += g.as<WindowUpdate>().increment;
    }
  }
  EXPECT_EQ(sent, 300);
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_FALSE(c.rst_code(1).has_value());
  EXPECT_EQ(c.handler.body(1).size(), static_cast<std::size_t>(sent) * 10);
}

TEST(Http2Connection, ContentLengthShortIsProtocolError) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/", "POST");
  f.emplace_back("content-length", "10");
  c.headers(1, f, false);
  c.data(1, "12345", true);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  EXPECT_EQ(c.goaway(), nullptr);
  ASSERT_EQ(c.handler.count(Event::reset, 1), 1u);
  EXPECT_EQ(c.handler.of(Event::reset, 1)[0]->code, ErrorCode::protocol_error);
  EXPECT_FALSE(c.handler.of(Event::reset, 1)[0]->by_peer);
}

TEST(Http2Connection, ContentLengthExceededIsProtocolError) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/", "POST");
  f.emplace_back("content-length", "3");
  c.headers(1, f, false);
  c.data(1, "12345", false);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  EXPECT_EQ(c.handler.body(1), "") << "bytes past the length are not delivered";
}

TEST(Http2Connection, ContentLengthWithoutBodyIsProtocolError) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/", "POST");
  f.emplace_back("content-length", "3");
  c.headers(1, f, true);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  EXPECT_EQ(c.handler.count(Event::request), 0u);
}

TEST(Http2Connection, MalformedRequestsAreResetAndTheConnectionGoesOn) {
  const std::vector<Fields> bad = {
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/"}, {"User-Agent", "x"}},
      {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}},
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {":status", "200"}},
      {{":method", "GET"}, {"x", "1"}, {":scheme", "https"}, {":path", "/"}},
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"connection", "close"}},
      {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"te", "gzip"}},
      {{":method", "GET"}, {":method", "GET"}, {":scheme", "https"}, {":path", "/"}},
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    Client c;
    c.start();
    c.headers(1, bad[i], true);
    c.read();
    EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
    EXPECT_EQ(c.goaway(), nullptr);
    EXPECT_EQ(c.handler.count(Event::request), 0u);
    EXPECT_EQ(c.handler.count(Event::reset), 0u) << "the handler never saw the stream: " << c.handler.log();
    EXPECT_EQ(c.conn->open_streams(), 0u);
    c.get(3);
    EXPECT_EQ(c.handler.count(Event::request, 3), 1u);
  }
}

TEST(Http2Connection, RequestTrailers) {
  Client c;
  c.start();
  c.headers(1, Client::get_fields("/", "POST"), false);
  c.data(1, "abc", false);
  c.headers(1, {{"x-checksum", "1234"}}, true);
  const auto d = c.handler.of(Event::chunk, 1);
  ASSERT_EQ(d.size(), 2u) << c.handler.log();
  EXPECT_EQ(d[0]->data, "abc");
  EXPECT_TRUE(d[1]->data.empty());
  EXPECT_TRUE(d[1]->end_stream);
  // The request is complete: a response completes the stream.
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  c.read();
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u);
}

TEST(Http2Connection, TrailersWithoutEndStreamOrWithPseudoFieldsAreMalformed) {
  {
    Client c;
    c.start();
    c.headers(1, Client::get_fields("/", "POST"), false);
    c.headers(1, {{"x-checksum", "1234"}}, false);
    c.read();
    EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
    EXPECT_EQ(c.goaway(), nullptr);
  }
  {
    Client c;
    c.start();
    c.headers(1, Client::get_fields("/", "POST"), false);
    c.headers(1, {{":path", "/x"}}, true);
    c.read();
    EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  }
  {
    // Trailers that break the promised length.
    Client c;
    c.start();
    Fields f = Client::get_fields("/", "POST");
    f.emplace_back("content-length", "5");
    c.headers(1, f, false);
    c.data(1, "abc", false);
    c.headers(1, {{"x", "1"}}, true);
    c.read();
    EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  }
}

// --- stream states --------------------------------------------------------------------------------------

TEST(Http2Connection, DataOnIdleStreamIsProtocolError) {
  Client c;
  c.start();
  c.data(1, "x", false);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
}

TEST(Http2Connection, HeadersOnAClosedStreamIsStreamClosed) {
  Client c;
  c.start();
  c.get(1);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  c.read();
  ASSERT_EQ(c.handler.count(Event::complete, 1), 1u);
  c.get(1);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::stream_closed);
}

TEST(Http2Connection, DataOnAHalfClosedStreamIsStreamClosed) {
  Client c;
  c.start();
  c.get(1);
  c.data(1, "x", false);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::stream_closed);
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2Connection, FramesInFlightAfterOurResetAreIgnored) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/", "POST");
  f.emplace_back("content-length", "2");
  c.headers(1, f, false);
  c.data(1, "toolong", false);  // we reset the stream
  c.read();
  ASSERT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  // The client had already sent more of the body and its trailers.
  c.data(1, "more", false);
  c.headers(1, {{"x-trailer", "1"}}, true);
  c.window_update(1, 100);
  c.read();
  EXPECT_EQ(c.goaway(), nullptr) << "frames on a stream we reset are ignored (§5.1 closed)";
  // HPACK stayed in step: the next request decodes.
  Fields g = Client::get_fields("/next");
  g.emplace_back("x-trailer", "1");
  c.headers(3, g, true);
  ASSERT_EQ(c.handler.count(Event::request, 3), 1u) << c.handler.log();
  EXPECT_EQ(c.handler.of(Event::request, 3)[0]->target, "/next");
}

// RFC 7540 PRIORITY frames (RFC 9113 §6.3) are accepted and not acted on; §5.3.1 forbids self-dependency, a
// stream error that §5.1 turns into a connection error on an idle stream (no RST_STREAM there).

TEST(Http2Connection, PriorityOnAnIdleStreamIsAcceptedAndTheStreamStillCompletes) {
  Client c;
  c.start();
  c.send_frame(Priority{1, {3, false, 200}});
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead&, bool) {
    EXPECT_TRUE(c.conn->submit_headers(stream, 200, {}, false));
    EXPECT_TRUE(c.conn->submit_data(stream, "ok", true));
  };
  c.get(1);
  c.read_all();
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_FALSE(c.rst_code(1).has_value());
  EXPECT_EQ(c.body(1), "ok");
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u) << c.handler.log();
}

TEST(Http2Connection, PriorityOnAnOpenStreamIsAcceptedAndTheStreamStillCompletes) {
  Client c;
  c.start();
  c.get(1);
  ASSERT_EQ(c.handler.count(Event::request, 1), 1u);
  c.send_frame(Priority{1, {0, true, 7}});
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_FALSE(c.rst_code(1).has_value());
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, false));
  ASSERT_TRUE(c.conn->submit_data(1, "ok", true));
  c.read_all();
  EXPECT_EQ(c.body(1), "ok");
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.handler.count(Event::complete, 1), 1u) << c.handler.log();
}

TEST(Http2Connection, PriorityMakingAnIdleStreamDependOnItselfIsAConnectionError) {
  Client c;
  c.start();
  c.send_frame(Priority{3, {3, false, 15}});
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  EXPECT_TRUE(c.all(FrameType::rst_stream).empty()) << "§5.1: no RST_STREAM on an idle stream";
  EXPECT_TRUE(c.conn->closing());
}

TEST(Http2Connection, PriorityMakingAnOpenStreamDependOnItselfResetsIt) {
  Client c;
  c.start();
  c.get(1);
  c.send_frame(Priority{1, {1, false, 15}});
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  EXPECT_EQ(c.goaway(), nullptr);
  ASSERT_EQ(c.handler.count(Event::reset, 1), 1u);
  // The connection goes on.
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead&, bool) {
    EXPECT_TRUE(c.conn->submit_headers(stream, 204, {}, true));
  };
  c.get(3);
  c.read_all();
  ASSERT_NE(c.response(3), nullptr);
  EXPECT_EQ(c.handler.count(Event::complete, 3), 1u);
}

TEST(Http2Connection, EvenStreamIdIsProtocolError) {
  Client c;
  c.start();
  c.get(2);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  EXPECT_EQ(c.handler.count(Event::request), 0u);
}

TEST(Http2Connection, DecreasingStreamIdIsProtocolError) {
  Client c;
  c.start();
  c.get(5);
  c.get(3);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  EXPECT_EQ(c.handler.count(Event::request), 1u);
  EXPECT_EQ(c.goaway()->as<Goaway>().last_stream_id, 5u);
  // The open stream ends with the connection.
  ASSERT_EQ(c.handler.count(Event::reset, 5), 1u);
  EXPECT_FALSE(c.handler.of(Event::reset, 5)[0]->by_peer);
}

TEST(Http2Connection, PushPromiseFromTheClientIsProtocolError) {
  Client c;
  c.start();
  c.get(1);
  const std::string b = c.block(Client::get_fields("/pushed"));
  c.send_frame(PushPromise{1, 2, b, true, std::nullopt});
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
}

TEST(Http2Connection, RstStreamFromTheClient) {
  Client c;
  c.start();
  c.get(1);
  c.rst(1, ErrorCode::cancel);
  ASSERT_EQ(c.handler.count(Event::reset, 1), 1u);
  const Event& e = *c.handler.of(Event::reset, 1)[0];
  EXPECT_EQ(e.code, ErrorCode::cancel);
  EXPECT_TRUE(e.by_peer);
  EXPECT_FALSE(c.conn->submit_headers(1, 200, {}, true));
  EXPECT_EQ(c.conn->open_streams(), 0u);
  c.read();
  EXPECT_TRUE(c.all(FrameType::rst_stream).empty()) << "no RST_STREAM back";
  c.rst(1, ErrorCode::cancel);  // again: ignored
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
  c.rst(7, ErrorCode::cancel);  // idle
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
}

TEST(Http2Connection, OurResetTellsTheHandler) {
  Client c;
  c.start();
  c.get(1);
  c.conn->reset(1, ErrorCode::internal_error);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::internal_error);
  ASSERT_EQ(c.handler.count(Event::reset, 1), 1u);
  EXPECT_FALSE(c.handler.of(Event::reset, 1)[0]->by_peer);
}

TEST(Http2Connection, PingIsAnsweredWithTheSamePayload) {
  Client c;
  c.start();
  c.ping(0x0102030405060708ull);
  const auto got = c.read();
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].type(), FrameType::ping);
  EXPECT_TRUE(got[0].as<Ping>().ack);
  EXPECT_EQ(got[0].as<Ping>().opaque, (std::array<std::uint8_t, 8>{8, 7, 6, 5, 4, 3, 2, 1}));
  c.send_frame(Ping{true, {}});  // an ACK is not answered
  EXPECT_TRUE(c.read().empty());
}

TEST(Http2Connection, ClientGoawayEndsOnceStreamsAreDone) {
  Client c;
  c.start();
  c.get(1);
  c.send_frame(Goaway{1, ErrorCode::no_error, {}});
  EXPECT_FALSE(c.conn->done());
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  c.read();
  EXPECT_TRUE(c.conn->done());
}

TEST(Http2Connection, ShutdownLetsExistingStreamsFinish) {
  Client c;
  c.start();
  c.get(1);
  c.get(3);
  c.conn->shutdown();
  EXPECT_TRUE(c.conn->closing());
  EXPECT_FALSE(c.conn->done());
  c.read();
  ASSERT_NE(c.goaway(), nullptr);
  EXPECT_EQ(c.goaway()->as<Goaway>().error, ErrorCode::no_error);
  EXPECT_EQ(c.goaway()->as<Goaway>().last_stream_id, 3u);
  c.get(5);  // past the last stream: not served
  EXPECT_EQ(c.handler.count(Event::request, 5), 0u);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, false));
  ASSERT_TRUE(c.conn->submit_data(1, "one", true));
  c.read_all();
  EXPECT_FALSE(c.conn->done());
  ASSERT_TRUE(c.conn->submit_headers(3, 200, {}, true));
  c.read_all();
  EXPECT_EQ(c.body(1), "one");
  EXPECT_TRUE(c.ended(3));
  EXPECT_TRUE(c.conn->done());
  EXPECT_FALSE(c.conn->error().has_value());
  EXPECT_EQ(c.all(FrameType::goaway).size(), 1u);
  // HPACK stayed in step through the ignored request.
  EXPECT_EQ(c.goaway_code(), ErrorCode::no_error);
}

TEST(Http2Connection, MaxConcurrentStreamsRefusesTheNext) {
  ConnectionConfig cfg;
  cfg.max_concurrent_streams = 2;
  Client c(cfg);
  c.start();
  c.get(1);
  c.get(3);
  c.get(5);
  c.read();
  EXPECT_EQ(c.rst_code(5), ErrorCode::refused_stream);
  EXPECT_EQ(c.handler.count(Event::request), 2u);
  EXPECT_EQ(c.handler.count(Event::reset), 0u) << "the handler never saw stream 5";
  EXPECT_EQ(c.goaway(), nullptr);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  c.read();
  c.get(7);
  EXPECT_EQ(c.handler.count(Event::request, 7), 1u);
  EXPECT_EQ(c.conn->open_streams(), 2u);
}

// --- push -----------------------------------------------------------------------------------------------

TEST(Http2Connection, PushPromiseAndPushedResponse) {
  Client c;
  c.start();
  std::optional<std::uint32_t> pushed;
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead&, bool) {
    const FieldView req[] = {
        {":method", "GET"}, {":scheme", "https"}, {":authority", "example.com"}, {":path", "/style.css"}};
    pushed = c.conn->push(stream, req);
    ASSERT_TRUE(pushed.has_value());
    ASSERT_TRUE(c.conn->submit_headers(stream, 200, {}, false));
    ASSERT_TRUE(c.conn->submit_data(stream, "<html>", true));
  };
  c.get(1);
  ASSERT_TRUE(pushed.has_value());
  EXPECT_EQ(*pushed, 2u);
  const http::RequestHead* head = c.conn->request_head(2);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->target, "/style.css");
  EXPECT_EQ(head->host, "example.com");
  ASSERT_TRUE(c.conn->submit_headers(2, 200, std::vector<FieldView>{{"content-type", "text/css"}}, false));
  ASSERT_TRUE(c.conn->submit_data(2, "body{}", true));
  c.read_all();
  const auto pp = c.all(FrameType::push_promise);
  ASSERT_EQ(pp.size(), 1u);
  EXPECT_EQ(pp[0]->stream(), 1u);
  EXPECT_EQ(pp[0]->as<PushPromise>().promised_stream_id, 2u);
  EXPECT_EQ(pp[0]->field(":path"), "/style.css");
  EXPECT_EQ(pp[0]->field(":method"), "GET");
  EXPECT_EQ(pp[0]->field(":authority"), "example.com");
  const long promise_at = std::find_if(c.frames.begin(), c.frames.end(),
                                       [](const Got& g) { return g.type() == FrameType::push_promise; }) -
                          c.frames.begin();
  EXPECT_LT(promise_at, c.end_index(1)) << "the promise goes before the parent ends";
  ASSERT_NE(c.response(2), nullptr);
  EXPECT_EQ(c.response(2)->field("content-type"), "text/css");
  EXPECT_EQ(c.body(2), "body{}");
  EXPECT_EQ(c.body(1), "<html>");
  EXPECT_TRUE(c.ended(2));
  EXPECT_EQ(c.handler.count(Event::request), 1u) << "a pushed request is not handed to on_request";
  EXPECT_EQ(c.handler.count(Event::complete, 2), 1u) << c.handler.log();
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2Connection, PushRefusedWhenTheClientDisabledIt) {
  Client c;
  c.start({{SettingId::enable_push, 0}});
  c.get(1);
  const FieldView req[] = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/x"}};
  EXPECT_FALSE(c.conn->push(1, req).has_value());
  c.read();
  EXPECT_TRUE(c.all(FrameType::push_promise).empty());
}

TEST(Http2Connection, PushRefusedForUnsafeRequestsAndEndedParents) {
  Client c;
  c.start();
  c.get(1);
  const FieldView post[] = {{":method", "POST"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/x"}};
  EXPECT_FALSE(c.conn->push(1, post).has_value());
  const FieldView bad[] = {{":method", "GET"}, {":path", "/x"}};
  EXPECT_FALSE(c.conn->push(1, bad).has_value());
  const FieldView ok[] = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/x"}};
  EXPECT_FALSE(c.conn->push(3, ok).has_value()) << "no such parent";
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  EXPECT_FALSE(c.conn->push(1, ok).has_value()) << "the parent is done";
  c.read();
  EXPECT_TRUE(c.all(FrameType::push_promise).empty());
  // The failed attempts did not use up ids.
  c.get(3);
  auto id = c.conn->push(3, ok);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 2u);
}

TEST(Http2Connection, ClientResetsAPushedStream) {
  Client c;
  c.start();
  c.get(1);
  const FieldView req[] = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/x"}};
  auto id = c.conn->push(1, req);
  ASSERT_TRUE(id.has_value());
  c.read();
  c.rst(*id, ErrorCode::cancel);
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
  ASSERT_EQ(c.handler.count(Event::reset, *id), 1u);
  EXPECT_TRUE(c.handler.of(Event::reset, *id)[0]->by_peer);
  EXPECT_FALSE(c.conn->submit_headers(*id, 200, {}, true));
}

// --- trace ----------------------------------------------------------------------------------------------

TEST(Http2Connection, TraceShowsRequestsAndDataAndRedactsAuthorization) {
  Client c;
  RecordingTrace trace;
  c.conn->set_trace(&trace);
  c.start();
  Fields f = Client::get_fields();
  f.emplace_back("authorization", "Bearer secret-token");
  c.headers(1, f, true);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, false));
  ASSERT_TRUE(c.conn->submit_data(1, "hello", true));
  c.read();
  std::string all;
  for (const auto& l : trace.lines) all += l + "\n";
  EXPECT_TRUE(trace.has("C: HEADERS stream=1", ":method=GET")) << all;
  EXPECT_TRUE(trace.has("C: HEADERS stream=1", ":path=/")) << all;
  EXPECT_TRUE(trace.has("C: HEADERS stream=1", "authorization=<redacted>")) << all;
  EXPECT_TRUE(trace.has("S: DATA stream=1", "len=5")) << all;
  EXPECT_TRUE(trace.has("S: HEADERS stream=1", ":status=200")) << all;
  EXPECT_TRUE(trace.has("S: SETTINGS stream=0")) << all;
  EXPECT_TRUE(trace.has("C: SETTINGS stream=0")) << all;
  EXPECT_EQ(all.find("secret-token"), std::string::npos) << all;
}

// --- byte splits ----------------------------------------------------------------------------------------

struct Conversation {
  std::string events;
  std::string output;
};

// The whole conversation of a simple GET (and a POST with a body), in pieces of `piece` bytes.
Conversation converse(std::string_view wire, std::size_t piece) {
  Client c(small_windows());
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead& head, bool) {
    const FieldView fields[] = {{"content-type", "text/plain"}};
    c.conn->submit_headers(stream, 200, fields, false);
    c.conn->submit_data(stream, std::string(head.target), true);
  };
  c.handler.on_data_hook = [&](std::uint32_t stream, std::string_view data, bool) {
    c.conn->release(stream, data.size());
  };
  Conversation run;
  Output out;
  for (std::size_t at = 0; at < wire.size(); at += piece) {
    const std::string chunk(wire.substr(at, piece));
    c.conn->receive(chunk, c.now);
  }
  c.conn->take_output(out);
  run.output = out.bytes;
  run.events = c.handler.log();
  return run;
}

std::string conversation() {
  Client c;
  std::string wire(kClientPreface);
  append_frame(wire, SettingsFrame{false, {{SettingId::initial_window_size, 100000}}});
  append_frame(wire, SettingsFrame{true, {}});
  Fields g = Client::get_fields("/hello");
  g.emplace_back("user-agent", "splitter");
  const std::string b1 = c.block(g);
  append_frame(wire, Headers{1, b1, true, true, std::nullopt, std::nullopt});
  Fields p = Client::get_fields("/post", "POST");
  p.emplace_back("content-length", "11");
  const std::string b2 = c.block(p);
  // A field block split over HEADERS and CONTINUATION, with padding.
  append_frame(wire,
               Headers{3, std::string_view(b2).substr(0, 5), false, false, std::nullopt, std::uint8_t{3}});
  append_frame(wire, Continuation{3, std::string_view(b2).substr(5), true});
  append_frame(wire, Data{3, "hello", false, std::uint8_t{2}});
  append_frame(wire, Data{3, " world", true, std::nullopt});
  append_frame(wire, Ping{false, {1, 2, 3, 4, 5, 6, 7, 8}});
  return wire;
}

TEST(Http2Connection, ByteAtATimeGivesTheSameEventsAndOutput) {
  const std::string wire = conversation();
  const Conversation whole = converse(wire, wire.size());
  EXPECT_NE(whole.events.find("request 1 GET /hello"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find("data 3 [hello]"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find("data 3 [ world] END"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find("complete 1"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find("complete 3"), std::string::npos) << whole.events;
  const Conversation bytes = converse(wire, 1);
  EXPECT_EQ(bytes.output, whole.output);
  // Byte by byte the body comes in more pieces; join them before comparing.
  auto joined = [](std::string log) {
    std::string out;
    std::string pending;
    std::size_t pos = 0;
    while (pos < log.size()) {
      const std::size_t nl = log.find('\n', pos);
      std::string line = log.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.rfind("data 3 [", 0) == 0) {
        const std::size_t close = line.rfind(']');
        pending += line.substr(8, close - 8);
        if (line.size() > close + 1) {
          out += "data 3 [" + pending + "] END\n";
          pending.clear();
        }
        continue;
      }
      out += line + "\n";
    }
    return out;
  };
  EXPECT_EQ(joined(bytes.events), joined(whole.events));
}

TEST(Http2Connection, EverySplitInTwoGivesTheSameOutput) {
  const std::string wire = conversation();
  const Conversation whole = converse(wire, wire.size());
  for (std::size_t piece = 2; piece < 64; ++piece) {
    SCOPED_TRACE(piece);
    EXPECT_EQ(converse(wire, piece).output, whole.output);
  }
  for_every_split(wire, small_windows(), [&](Client& c, std::size_t at) {
    EXPECT_FALSE(c.conn->closing()) << "split at " << at;
    EXPECT_EQ(c.handler.count(Event::request), 2u) << "split at " << at;
    EXPECT_EQ(c.handler.body(3), "hello world") << "split at " << at;
  });
}

}  // namespace
}  // namespace endhost::http2::test
