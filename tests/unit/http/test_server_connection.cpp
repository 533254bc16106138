// ServerConnection: the HTTP/1 connection state machine. Most tests play a whole wire through it, cut at
// every place (or every pair of places), and check that the transcript of events is the same each time.
#include "http/server_connection.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace endhost::http {
namespace {

using Event = ServerConnection::Event;

struct Run {
  std::vector<std::string> log;
  bool closed = false;
};

// Feeds `wire` in the pieces `cuts` gives, answering each request (or error) as soon as it is complete.
// Consecutive body spans are joined, so the transcript does not depend on where the wire was cut.
// `respond_early`: answer right after the head, leaving the body to the drain.
Run play_cut(std::string_view wire, const std::vector<std::size_t>& cuts,
             ServerConnection::Options options = {}, bool respond_early = false) {
  ServerConnection c(options);
  Run run;
  std::size_t fed = 0, cut = 0;
  auto log_body = [&](std::string_view data) {
    if (!run.log.empty() && run.log.back().starts_with("body ")) {
      run.log.back() += data;
    } else {
      run.log.push_back("body " + std::string(data));
    }
  };
  for (;;) {
    const Event e = c.next();
    switch (e) {
      case Event::need_more: {
        if (fed == wire.size()) {
          c.end_of_input();
          break;
        }
        const std::size_t to = cut < cuts.size() ? cuts[cut++] : wire.size();
        const std::size_t n = c.feed(wire.substr(fed, to - fed));
        EXPECT_EQ(n, to - fed);
        fed += n;
        break;
      }
      case Event::head:
        run.log.push_back("head " + std::string(c.head().method) + " " + std::string(c.head().target) +
                          (c.keep_alive() ? "" : " close"));
        if (respond_early) {
          run.log.push_back(c.keep_alive() ? "early" : "early close");
          c.response_done();
        }
        break;
      case Event::send_continue:
        run.log.push_back("100");
        break;
      case Event::body:
        log_body(c.body_data());
        break;
      case Event::body_end: {
        std::string line = "end";
        for (const FieldView& f : c.trailers())
          line += " " + std::string(f.name) + "=" + std::string(f.value);
        run.log.push_back(line);
        break;
      }
      case Event::error:
        run.log.push_back("error " + std::to_string(static_cast<int>(c.error().status)) +
                          (c.keep_alive() ? "" : " close"));
        c.response_done();
        break;
      case Event::respond:
        // The head is still readable here, however the body arrived.
        EXPECT_TRUE(c.has_head());
        run.log.push_back(std::string("respond ") + std::string(c.head().target) +
                          (c.keep_alive() ? "" : " close"));
        c.response_done();
        break;
      case Event::closed:
        run.log.push_back("closed");
        run.closed = true;
        return run;
    }
  }
}

Run play(std::string_view wire, ServerConnection::Options options = {}, bool respond_early = false) {
  return play_cut(wire, {}, options, respond_early);
}

using Log = std::vector<std::string>;

constexpr std::string_view kPipelined =
    "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    "\r\n"  // a stray CRLF between requests is allowed (RFC 9112 §2.2)
    "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Sum: 9\r\n\r\n"
    "GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    "GET /never HTTP/1.1\r\nHost: x\r\n\r\n";

const Log kPipelinedLog = {
    "head GET /a",
    "end",
    "respond /a",
    "head POST /b",
    "body hello",
    "end",
    "respond /b",
    "head POST /c",
    "body abc0123456789abcdef",
    "end X-Sum=9",
    "respond /c",
    "head GET /d close",
    "end",
    "respond /d close",
    "closed",
};

TEST(ServerConnection, PipelinedStreamInOneRead) {
  EXPECT_EQ(play(kPipelined).log, kPipelinedLog);
}

TEST(ServerConnection, PipelinedStreamCutAtEveryPlace) {
  for (std::size_t i = 0; i <= kPipelined.size(); ++i) {
    ASSERT_EQ(play_cut(kPipelined, {i}).log, kPipelinedLog) << "cut at " << i;
  }
}

TEST(ServerConnection, PipelinedStreamCutAtEveryPairOfPlaces) {
  for (std::size_t i = 0; i <= kPipelined.size(); ++i) {
    for (std::size_t j = i; j <= kPipelined.size(); ++j) {
      ASSERT_EQ(play_cut(kPipelined, {i, j}).log, kPipelinedLog) << "cuts at " << i << ", " << j;
    }
  }
}

TEST(ServerConnection, PipelinedStreamByteByByte) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < kPipelined.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(play_cut(kPipelined, cuts).log, kPipelinedLog);
}

TEST(ServerConnection, PipelinedRequestsWaitBehindTheOneBeingAnswered) {
  ServerConnection c;
  c.feed("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(c.next(), Event::head);
  ASSERT_EQ(c.next(), Event::body_end);
  EXPECT_EQ(c.next(), Event::respond);
  EXPECT_EQ(c.next(), Event::respond);  // until the response is done, whatever is buffered
  EXPECT_GT(c.buffered(), 0u);
  EXPECT_EQ(c.head().target, "/1");
  c.response_done();
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_EQ(c.head().target, "/2");
  EXPECT_EQ(c.requests(), 2u);
}

TEST(ServerConnection, HeadStaysValidWhileItsBodyStreamsThroughSmallReads) {
  ServerConnection::Options o;
  o.read_size = 64;
  o.limits.max_body_size = 1 << 20;
  ServerConnection c(o);
  c.feed("PUT /target-that-must-survive HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n");
  ASSERT_EQ(c.next(), Event::head);
  std::size_t got = 0;
  for (;;) {
    const Event e = c.next();
    if (e == Event::body) {
      got += c.body_data().size();
      continue;
    }
    if (e == Event::body_end) break;
    ASSERT_EQ(e, Event::need_more);
    const auto space = c.read_space();
    ASSERT_FALSE(space.empty());
    const std::size_t n = std::min<std::size_t>(space.size(), 10000 - got);
    std::fill_n(space.data(), n, 'z');
    c.commit(n);
  }
  EXPECT_EQ(got, 10000u);
  EXPECT_EQ(c.head().target, "/target-that-must-survive");
  EXPECT_EQ(c.head().host, "x");
}

// Close policy (RFC 9112 §9.3).

TEST(ServerConnection, Http10ClosesUnlessKeepAlive) {
  EXPECT_EQ(play("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n").log,
            (Log{"head GET /a close", "end", "respond /a close", "closed"}));
  EXPECT_EQ(
      play("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n").log,
      (Log{"head GET /a", "end", "respond /a", "head GET /b close", "end", "respond /b close", "closed"}));
}

TEST(ServerConnection, Http11KeepsAliveUntilConnectionClose) {
  EXPECT_EQ(
      play("GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\nGET /b HTTP/1.1\r\n\r\n").log,
      (Log{"head GET /a close", "end", "respond /a close", "closed"}));
}

TEST(ServerConnection, AResponseThatEndsTheConnectionCloses) {
  ServerConnection c;
  c.feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_TRUE(c.keep_alive());
  c.response_done(true);
  EXPECT_EQ(c.next(), Event::closed);
  EXPECT_TRUE(c.closed());
}

TEST(ServerConnection, EndOfInput) {
  // Between requests, and inside a head: closed without an answer.
  EXPECT_EQ(play("").log, (Log{"closed"}));
  EXPECT_EQ(play("GET /a HTTP/1.1\r\nHost").log, (Log{"closed"}));
  // Inside a body whose length was known: closed.
  EXPECT_EQ(play("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nabc").log,
            (Log{"head POST /a", "body abc", "closed"}));
  // After a complete request (a client that half-closed): it is answered, then the connection closes.
  ServerConnection c;
  c.feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  c.end_of_input();
  ASSERT_EQ(c.next(), Event::head);
  ASSERT_EQ(c.next(), Event::body_end);
  ASSERT_EQ(c.next(), Event::respond);
  EXPECT_FALSE(c.keep_alive());
  c.response_done();
  EXPECT_EQ(c.next(), Event::closed);
}

TEST(ServerConnection, AHalfClosedClientIsAnsweredEveryRequestItPipelined) {
  ServerConnection c;
  c.feed("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHo");
  c.end_of_input();
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_TRUE(c.keep_alive());  // more requests may follow in the buffer
  c.response_done();
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_EQ(c.head().target, "/2");
  c.response_done();
  EXPECT_EQ(c.next(), Event::closed);  // the third can never be complete
}

TEST(ServerConnection, IdleOnlyBetweenRequestsWithNothingBuffered) {
  ServerConnection c;
  EXPECT_TRUE(c.idle());
  c.feed("G");
  EXPECT_FALSE(c.idle());
  EXPECT_EQ(c.next(), Event::need_more);
  c.feed("ET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_FALSE(c.idle());
  c.response_done();
  EXPECT_TRUE(c.idle());
}

// Errors, as values, with the status to answer.

int status_of_first_error(std::string_view wire, ServerConnection::Options o = {}) {
  ServerConnection c(o);
  c.feed(wire);
  c.end_of_input();
  for (;;) {
    const Event e = c.next();
    if (e == Event::error) return static_cast<int>(c.error().status);
    if (e == Event::closed) return 0;
    if (e == Event::respond) c.response_done();
  }
}

TEST(ServerConnection, LimitsAndSyntaxGiveTheirStatus) {
  EXPECT_EQ(status_of_first_error("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  EXPECT_EQ(status_of_first_error("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n"), 400);
  EXPECT_EQ(status_of_first_error("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"), 413);
  ServerConnection::Options small;
  small.limits.max_head_bytes = 200;
  EXPECT_EQ(
      status_of_first_error("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(300, 'a') + "\r\n\r\n", small),
      431);
  small.limits.max_start_line = 50;
  EXPECT_EQ(status_of_first_error("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n", small), 414);
  EXPECT_EQ(status_of_first_error("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            501);
}

TEST(ServerConnection, AHeadLargerThanTheLimitIsRefusedBeforeItEnds) {
  ServerConnection::Options o;
  o.limits.max_head_bytes = 1024;
  ServerConnection c(o);
  std::string wire = "GET / HTTP/1.1\r\nHost: x\r\nX: ";
  wire += std::string(4000, 'a');  // never finished: the limit is found while it is still coming
  std::size_t fed = 0;
  for (;;) {
    const Event e = c.next();
    if (e == Event::error) break;
    ASSERT_EQ(e, Event::need_more);
    ASSERT_LT(fed, wire.size()) << "the head was buffered whole";
    fed += c.feed(std::string_view(wire).substr(fed, 100));
  }
  EXPECT_EQ(static_cast<int>(c.error().status), 431);
  EXPECT_FALSE(c.keep_alive());
}

TEST(ServerConnection, ErrorsThatLoseTheFramingClose) {
  EXPECT_EQ(
      play("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n").log,
      (Log{"error 400 close", "closed"}));
  // Smuggling shape: Transfer-Encoding and Content-Length together.
  EXPECT_EQ(
      play("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
          .log,
      (Log{"error 400 close", "closed"}));
}

TEST(ServerConnection, ErrorsThatKeepTheFramingDrainTheBodyAndGoOn) {
  // No Host in HTTP/1.1 (400) and an unknown expectation (417): the body is still delimited.
  EXPECT_EQ(play("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n").log,
            (Log{"error 400", "head GET /b", "end", "respond /b", "closed"}));
  EXPECT_EQ(play("POST /a HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 3\r\n\r\nabc"
                 "GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
                .log,
            (Log{"error 417", "head GET /b", "end", "respond /b", "closed"}));
}

// Chunked bodies.

TEST(ServerConnection, ChunkedEdgeCases) {
  const std::string head = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  // Empty body; upper-case hex; leading zeros; quoted extension; trailers.
  EXPECT_EQ(play(head + "0\r\n\r\n").log, (Log{"head POST /c", "end", "respond /c", "closed"}));
  EXPECT_EQ(play(head + "A\r\n0123456789\r\n000\r\n\r\n").log,
            (Log{"head POST /c", "body 0123456789", "end", "respond /c", "closed"}));
  EXPECT_EQ(play(head + "1;a=\"q;\\\"x\"\r\nz\r\n0\r\nA: 1\r\nB: 2\r\n\r\n").log,
            (Log{"head POST /c", "body z", "end A=1 B=2", "respond /c", "closed"}));
  // Broken framing: an error (400) that closes, after whatever body came before it.
  EXPECT_EQ(play(head + "g\r\n").log, (Log{"head POST /c", "error 400 close", "closed"}));
  EXPECT_EQ(play(head + "2\r\nabX\r\n").log, (Log{"head POST /c", "body ab", "error 400 close", "closed"}));
  EXPECT_EQ(play(head + "1\nz\r\n0\r\n\r\n").log, (Log{"head POST /c", "error 400 close", "closed"}));
  // More than max_body_size in chunks: 413 in the middle of the body.
  ServerConnection::Options o;
  o.limits.max_body_size = 4;
  EXPECT_EQ(play(head + "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", o).log,
            (Log{"head POST /c", "body abc", "error 413 close", "closed"}));
}

TEST(ServerConnection, ChunkedCutAtEveryPlace) {
  const std::string wire =
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1;a=b\r\nx\r\n2 ; q=\"v\"\r\nyz\r\n0\r\nT: v\r\n\r\nGET /n HTTP/1.1\r\nHost: x\r\n\r\n";
  const Log expected = {"head POST /c", "body xyz", "end T=v",    "respond /c",
                        "head GET /n",  "end",      "respond /n", "closed"};
  for (std::size_t i = 0; i <= wire.size(); ++i) ASSERT_EQ(play_cut(wire, {i}).log, expected) << i;
}

// Draining an unread body after the response.

TEST(ServerConnection, UnreadBodyIsDrainedThenTheNextRequestFollows) {
  const std::string wire =
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
  const Log expected = {"head POST /a", "early", "head POST /b", "early", "head GET /c", "early", "closed"};
  for (std::size_t i = 0; i <= wire.size(); ++i) ASSERT_EQ(play_cut(wire, {i}, {}, true).log, expected) << i;
}

TEST(ServerConnection, BodyTooLargeToDrainCloses) {
  ServerConnection::Options o;
  o.max_drain = 4;
  // Content-Length: known in advance, so the response already says close.
  EXPECT_EQ(
      play("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n", o, true)
          .log,
      (Log{"head POST /a close", "early close", "closed"}));
  // Chunked: found while draining.
  EXPECT_EQ(
      play(
          "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"
          "GET /b HTTP/1.1\r\nHost: x\r\n\r\n",
          o, true)
          .log,
      (Log{"head POST /a", "early", "closed"}));
  // A partly read body only drains what is left.
  ServerConnection c(o);
  c.feed("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nabcd");
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_FALSE(c.keep_alive());
  ASSERT_EQ(c.next(), Event::body);
  EXPECT_TRUE(c.keep_alive());  // 4 left, within max_drain
}

TEST(ServerConnection, ExpectContinue) {
  const std::string wire =
      "POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
      "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  // Reading the body asks for the 100 first.
  // (Until then, an answer would close: keep_alive() is false at the head.)
  EXPECT_EQ(play(wire).log, (Log{"head POST /a close", "100", "body hi", "end", "respond /a", "head GET /b",
                                 "end", "respond /b", "closed"}));
  // Answering without asking for the body: the client may never send it, so the connection closes.
  EXPECT_EQ(play(wire, {}, true).log, (Log{"head POST /a close", "early close", "closed"}));
  // Without a body there is nothing to continue.
  EXPECT_EQ(play("GET /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n").log,
            (Log{"head GET /a", "end", "respond /a", "closed"}));
}

TEST(ServerConnection, ATunnelTakesTheBytesAfterItsHead) {
  ServerConnection c;
  c.feed("\r\nCONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03\x01");
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_EQ(c.head_bytes(), "\r\nCONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n");
  EXPECT_EQ(c.pending(), "\x16\x03\x01");
  EXPECT_EQ(c.take_rest(), "\x16\x03\x01");
  EXPECT_EQ(c.next(), Event::closed);
}

TEST(ServerConnection, ReadSpaceIsBoundedByTheLimits) {
  ServerConnection::Options o;
  o.limits.max_head_bytes = 1000;
  o.limits.max_trailer_bytes = 100;
  o.read_size = 500;
  ServerConnection c(o);
  EXPECT_EQ(c.read_space().size(), 1600u);
}

TEST(ServerConnection, AfterClosingReadsAreDropped) {
  // A server lingering after its last answer (RFC 9112 §9.6) reads through the same calls: each read_space()
  // drops what was read before, so the whole capacity is there every time.
  ServerConnection c;
  const std::size_t capacity = c.read_space().size();
  c.feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n");
  ASSERT_EQ(c.next(), Event::head);
  c.response_done(true);
  EXPECT_EQ(c.read_space().size(), capacity);
  EXPECT_EQ(c.buffered(), 0u);
  c.commit(10);
  EXPECT_EQ(c.buffered(), 10u);
  EXPECT_EQ(c.read_space().size(), capacity);
  EXPECT_EQ(c.next(), Event::closed);
}

TEST(ServerConnection, CloseEndsTheConnectionInAnyState) {
  ServerConnection c;
  c.feed("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  ASSERT_EQ(c.next(), Event::head);
  c.response_done();
  EXPECT_TRUE(c.draining());
  EXPECT_EQ(c.next(), Event::need_more);
  EXPECT_TRUE(c.draining());
  c.close();
  EXPECT_FALSE(c.draining());
  EXPECT_EQ(c.next(), Event::closed);
}

// Lending: an idle connection gives the object back and carries on with any other.

TEST(ServerConnection, AnIdleConnectionLendsTheObjectAndCarriesOn) {
  ServerConnection pooled;
  pooled.feed("GET /a1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(pooled.next(), Event::head);
  pooled.response_done();
  ASSERT_EQ(pooled.next(), Event::need_more);
  ASSERT_TRUE(pooled.lendable());
  const ServerConnection::Parked a = pooled.park();
  EXPECT_EQ(a.requests, 1u);
  EXPECT_EQ(pooled.requests(), 0u);

  // Another connection uses it meanwhile, from its first request.
  pooled.resume({});
  pooled.feed("GET /b1 HTTP/1.1\r\nHost: y\r\n\r\n");
  ASSERT_EQ(pooled.next(), Event::head);
  EXPECT_EQ(pooled.head().target, "/b1");
  EXPECT_EQ(pooled.requests(), 1u);
  pooled.response_done();
  const ServerConnection::Parked b = pooled.park();
  EXPECT_EQ(b.requests, 1u);

  // The first one again, on a different object.
  ServerConnection other;
  other.resume(a);
  other.feed("GET /a2 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(other.next(), Event::head);
  EXPECT_EQ(other.head().target, "/a2");
  EXPECT_EQ(other.requests(), 2u);
  EXPECT_TRUE(other.keep_alive());
}

TEST(ServerConnection, NothingIsLentWhileAByteOfARequestIsLeft) {
  ServerConnection c;
  EXPECT_TRUE(c.lendable());
  c.feed("G");  // a head has begun
  EXPECT_FALSE(c.lendable());
  c.feed("ET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nab");
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_FALSE(c.lendable());  // its body is being read
  ASSERT_EQ(c.next(), Event::body);
  EXPECT_EQ(c.next(), Event::need_more);
  EXPECT_FALSE(c.lendable());
  c.feed("c");
  ASSERT_EQ(c.next(), Event::body);
  ASSERT_EQ(c.next(), Event::body_end);
  EXPECT_FALSE(c.lendable());  // not answered yet
  c.feed("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  c.response_done();
  EXPECT_FALSE(c.lendable());  // a pipelined request is buffered
  ASSERT_EQ(c.next(), Event::head);
  c.response_done();
  EXPECT_TRUE(c.lendable());
  c.end_of_input();
  EXPECT_FALSE(c.lendable());  // the peer left: the connection ends instead
}

TEST(ServerConnection, NothingIsLentWhileABodyIsDrained) {
  ServerConnection c;
  c.feed("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhe");
  ASSERT_EQ(c.next(), Event::head);
  c.response_done();
  EXPECT_EQ(c.next(), Event::need_more);
  EXPECT_TRUE(c.draining());
  EXPECT_FALSE(c.lendable());
  c.feed("llo");
  EXPECT_EQ(c.next(), Event::need_more);
  EXPECT_FALSE(c.draining());
  EXPECT_TRUE(c.lendable());
}

TEST(ServerConnection, ResetForgetsTheConnectionThatEnded) {
  ServerConnection c;
  c.feed("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nabc");
  ASSERT_EQ(c.next(), Event::head);
  c.end_of_input();
  c.reset();
  EXPECT_TRUE(c.lendable());
  EXPECT_EQ(c.requests(), 0u);
  EXPECT_EQ(c.buffered(), 0u);
  c.feed("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(c.next(), Event::head);
  EXPECT_EQ(c.head().target, "/next");
  EXPECT_TRUE(c.keep_alive());
}

// Plays `wire` as play_cut() does, but whenever the connection asks for more with nothing of a request left,
// it parks, lends its object to another connection that makes a whole request on it, and resumes on
// whichever object of a pool of two is free: the transcript is the same as without lending.
Log play_lending(std::string_view wire, const std::vector<std::size_t>& cuts) {
  ServerConnection objects[2];
  ServerConnection* c = &objects[0];
  Log log;
  std::size_t fed = 0, cut = 0, lent = 0;
  for (;;) {
    const Event e = c->next();
    switch (e) {
      case Event::need_more: {
        if (c->lendable()) {
          const ServerConnection::Parked parked = c->park();
          ServerConnection* borrowed = &objects[lent++ % 2];
          borrowed->resume({});
          borrowed->feed("GET /other HTTP/1.1\r\nHost: o\r\n\r\n");
          EXPECT_EQ(borrowed->next(), Event::head);
          EXPECT_EQ(borrowed->head().target, "/other");
          borrowed->response_done();
          EXPECT_EQ(borrowed->next(), Event::need_more);
          borrowed->park();
          c = &objects[lent % 2];
          c->resume(parked);
        }
        if (fed == wire.size()) {
          c->end_of_input();
          break;
        }
        const std::size_t to = cut < cuts.size() ? cuts[cut++] : wire.size();
        fed += c->feed(wire.substr(fed, to - fed));
        break;
      }
      case Event::head:
        log.push_back("head " + std::string(c->head().target) + " #" + std::to_string(c->requests()));
        break;
      case Event::body:
      case Event::body_end:
      case Event::send_continue:
        break;
      case Event::error:
        log.push_back("error");
        c->response_done();
        break;
      case Event::respond:
        log.push_back("respond " + std::string(c->head().target) + (c->keep_alive() ? "" : " close"));
        c->response_done();
        break;
      case Event::closed:
        log.push_back("closed");
        return log;
    }
  }
}

TEST(ServerConnection, LendingBetweenRequestsChangesNothing) {
  const Log expected = {"head /a #1", "respond /a", "head /b #2",       "respond /b", "head /c #3",
                        "respond /c", "head /d #4", "respond /d close", "closed"};
  EXPECT_EQ(play_lending(kPipelined, {}), expected);
  for (std::size_t i = 0; i <= kPipelined.size(); ++i) {
    ASSERT_EQ(play_lending(kPipelined, {i}), expected) << "cut at " << i;
  }
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < kPipelined.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(play_lending(kPipelined, cuts), expected);
}

}  // namespace
}  // namespace endhost::http
