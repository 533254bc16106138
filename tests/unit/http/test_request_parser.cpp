// RequestParser against RFC 9112: request-line, fields, Host, Expect, Connection, limits, and every valid
// message split at every byte boundary.
#include <gtest/gtest.h>

#include "http/request_parser.hpp"
#include "http_test_util.hpp"

namespace endhost::http {
namespace {

using test::parse_request;

void expect_error(std::string_view wire, Errc code, Status status, const Limits& limits = {}) {
  auto r = parse_request(wire, limits);
  ASSERT_FALSE(r.has_value()) << wire;
  EXPECT_EQ(r.error().code, code) << wire << " → " << describe(r.error().code);
  EXPECT_EQ(r.error().status, status) << wire;
}

TEST(RequestParser, SimpleGet) {
  RequestParser p;
  const std::string_view wire = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  auto step = p.parse_head(wire);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->progress, Progress::complete);
  EXPECT_EQ(step->consumed, wire.size());
  const RequestHead& h = p.head();
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.method_id, Method::get);
  EXPECT_EQ(h.target, "/index.html?q=1");
  EXPECT_EQ(h.target_form, TargetForm::origin);
  EXPECT_EQ(h.version, http11);
  EXPECT_EQ(h.host, "example.com");
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields.get("ACCEPT"), "*/*");
  EXPECT_EQ(h.framing.kind, BodyKind::none);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_TRUE(p.done());
  // The head borrows the caller's buffer: views point inside it.
  EXPECT_EQ(h.target.data(), wire.data() + 4);
}

TEST(RequestParser, NeedMoreConsumesNothing) {
  RequestParser p;
  auto step = p.parse_head("GET / HTTP/1.1\r\nHost: a\r\n");
  ASSERT_TRUE(step);
  EXPECT_EQ(step->progress, Progress::need_more);
  EXPECT_EQ(step->consumed, 0u);
  step = p.parse_head("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET");
  ASSERT_TRUE(step);
  EXPECT_EQ(step->progress, Progress::complete);
  EXPECT_EQ(step->consumed, 27u);
}

TEST(RequestParser, FieldValueOwsTrimmedAndOrderAndDuplicatesKept) {
  auto r = parse_request("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t one two \t\r\nx-a: 2\r\nX-Empty:\r\n\r\n");
  ASSERT_TRUE(r);
  const Fields& f = r->message.fields;
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[1].value, "one two");
  EXPECT_EQ(f.count("X-A"), 2u);
  EXPECT_EQ(f[2].name, "x-a");
  EXPECT_EQ(f.get("x-empty"), "");
}

TEST(RequestParser, ObsTextAllowedInFieldValue) {
  EXPECT_TRUE(parse_request("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"));
}

// RFC 9112 §3: request-line = method SP request-target SP HTTP-version
TEST(RequestLine, ExactlyOneSpaceBetweenParts) {
  expect_error("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_request_line, Status::bad_request);
  expect_error("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_request_line, Status::bad_request);
  expect_error("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_request_line, Status::bad_request);
  expect_error("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", Errc::bad_request_line, Status::bad_request);
  expect_error(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_request_line, Status::bad_request);
  expect_error("GET /\r\nHost: a\r\n\r\n", Errc::http09_request, Status::bad_request);
}

// RFC 9110 §9.1: the method is a case-sensitive token.
TEST(RequestLine, MethodMustBeToken) {
  expect_error("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_method, Status::bad_request);
  expect_error("G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_method, Status::bad_request);
}

TEST(RequestLine, UnknownMethodParsesButIsFlaggedFor501) {
  for (std::string_view wire : {"BREW / HTTP/1.1\r\nHost: a\r\n\r\n", "get / HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    RequestParser p;
    auto step = p.parse_head(wire);
    ASSERT_TRUE(step) << wire;
    EXPECT_EQ(p.head().method_id, Method::unknown);
  }
}

TEST(RequestLine, KnownMethods) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"}) {
    RequestParser p;
    const std::string wire = std::string(m) + " / HTTP/1.1\r\nHost: a\r\n\r\n";
    ASSERT_TRUE(p.parse_head(wire));
    EXPECT_EQ(to_string(p.head().method_id), m);
  }
}

// RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT
TEST(RequestLine, VersionMalformedIs400) {
  for (std::string_view v :
       {"HTTP/1.10", "HTTP/1", "http/1.1", "HTTP/1.1x", "HTTP/11", "HTTP/a.b", "HTTP /1.1", "HTTP/1,1"}) {
    const std::string wire = "GET / " + std::string(v) + "\r\nHost: a\r\n\r\n";
    auto r = parse_request(wire);
    ASSERT_FALSE(r) << v;
    EXPECT_EQ(r.error().status, Status::bad_request) << v;
  }
}

TEST(RequestLine, UnknownMajorVersionIs505) {
  for (std::string_view v : {"HTTP/2.0", "HTTP/3.0", "HTTP/9.9", "HTTP/0.9"}) {
    const std::string wire = "GET / " + std::string(v) + "\r\nHost: a\r\n\r\n";
    expect_error(wire, Errc::unsupported_version, Status::http_version_not_supported);
  }
}

TEST(RequestLine, Http10AndMinorVersions) {
  auto r = parse_request("GET / HTTP/1.0\r\n\r\n");  // no Host needed in 1.0
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.version, http10);
  RequestParser p;
  ASSERT_TRUE(p.parse_head("GET / HTTP/1.2\r\nHost: a\r\n\r\n"));  // §2.3: a higher minor is still 1.x
  EXPECT_TRUE(p.head().keep_alive);
}

// RFC 9112 §3.2: the four request-target forms, each allowed only with its methods.
TEST(RequestTarget, OriginForm) {
  RequestParser p;
  ASSERT_TRUE(p.parse_head("GET /a/b%20c?x=%7B|}\" HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(p.head().target_form, TargetForm::origin);
}

TEST(RequestTarget, AbsoluteForm) {
  RequestParser p;
  ASSERT_TRUE(p.parse_head("GET http://example.com:8080/x?y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"));
  EXPECT_EQ(p.head().target_form, TargetForm::absolute);
  expect_error("GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET 1http://x/ HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET ht_tp://x/ HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
}

TEST(RequestTarget, AuthorityFormOnlyForConnect) {
  RequestParser p;
  ASSERT_TRUE(p.parse_head("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
  EXPECT_EQ(p.head().target_form, TargetForm::authority);
  RequestParser p6;
  ASSERT_TRUE(p6.parse_head("CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n"));
  expect_error("CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("CONNECT example.com: HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("CONNECT http://a:1/ HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("CONNECT user@a:443 HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
}

TEST(RequestTarget, AsteriskFormOnlyForOptions) {
  RequestParser p;
  ASSERT_TRUE(p.parse_head("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(p.head().target_form, TargetForm::asterisk);
  expect_error("GET * HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
}

TEST(RequestTarget, InvalidCharactersAndEscapes) {
  expect_error("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET /%2 HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error(std::string_view("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", 28), Errc::bad_target,
               Status::bad_request);
  expect_error("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bare_cr, Status::bad_request);
  expect_error("GET /a HTTP/1.1\r\r\nHost: a\r\n\r\n", Errc::bare_cr, Status::bad_request);
}

// RFC 9112 §5.1: no whitespace between field name and colon.
TEST(FieldLine, WhitespaceBeforeColonIs400) {
  expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", Errc::space_before_colon, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX\t: b\r\n\r\n", Errc::space_before_colon, Status::bad_request);
}

// RFC 9112 §5.2: obs-fold is rejected; §2.2: so is whitespace between the start-line and the first field.
TEST(FieldLine, ObsFoldIs400) {
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", Errc::obs_fold, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", Errc::obs_fold, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\n Host: a\r\n\r\n", Errc::obs_fold, Status::bad_request);
}

TEST(FieldLine, InvalidNameIs400) {
  expect_error("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", Errc::bad_field_name, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", Errc::bad_field_name, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", Errc::bad_field_name, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: b\r\n\r\n", Errc::bad_field_name,
               Status::bad_request);
}

TEST(FieldLine, NulAndCtlInValueIs400) {
  static constexpr char nul[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
  expect_error(std::string_view(nul, sizeof nul - 1), Errc::bad_field_value, Status::bad_request);
  expect_error(
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01"
      "b\r\n\r\n",
      Errc::bad_field_value, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", Errc::bad_field_value, Status::bad_request);
}

// Values are checked eight bytes at a time; a bad byte must be found at every offset within a word.
TEST(FieldLine, CtlDetectedAtEveryOffset) {
  for (std::size_t at = 0; at < 24; ++at) {
    for (char bad : {'\x00', '\x01', '\x1f', '\x7f', '\n'}) {
      std::string value(24, 'v');
      value[at] = bad;
      expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: " + value + "\r\n\r\n",
                   bad == '\n' ? Errc::bare_lf : Errc::bad_field_value, Status::bad_request);
    }
    for (char good : {'\t', ' ', '\x80', '\xff', '~'}) {
      std::string value(24, 'v');
      value[at] = good;
      EXPECT_TRUE(parse_request("GET / HTTP/1.1\r\nHost: a\r\nX: " + value + "\r\n\r\n")) << at;
    }
  }
}

TEST(FieldLine, BareCrIs400) {
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", Errc::bare_cr, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\r\n\r\n", Errc::bare_cr, Status::bad_request);
}

// Decision (docs/internals/http.md): a bare LF is not a line end; the request is rejected.
TEST(LineEndings, BareLfIs400) {
  expect_error("GET / HTTP/1.1\nHost: a\r\n\r\n", Errc::bare_lf, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\n\r\n", Errc::bare_lf, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\n\n", Errc::bare_lf, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", Errc::bare_lf, Status::bad_request);
}

// RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
TEST(LineEndings, LeadingEmptyLinesIgnored) {
  RequestParser p;
  const std::string_view wire = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
  auto step = p.parse_head(wire);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->consumed, wire.size());
  EXPECT_EQ(p.head().method, "GET");
}

// RFC 9112 §3.2: 400 for HTTP/1.1 without Host, for more than one Host, for an invalid Host.
TEST(Host, MissingInHttp11Is400KeepsFraming) {
  RequestParser p;
  auto step = p.parse_head("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().code, Errc::missing_host);
  EXPECT_EQ(step.error().status, Status::bad_request);
  EXPECT_FALSE(step.error().must_close);  // framing is known: the body can be drained
  EXPECT_EQ(p.head_size(), 38u);
  auto body = p.parse_body("abc");
  ASSERT_TRUE(body);
  EXPECT_TRUE(body->done);
  EXPECT_EQ(body->data, "abc");
}

TEST(Host, DuplicateIs400) {
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Errc::duplicate_host, Status::bad_request);
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", Errc::duplicate_host, Status::bad_request);
  expect_error("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", Errc::duplicate_host, Status::bad_request);
}

TEST(Host, InvalidValueIs400) {
  for (std::string_view h : {"a b", "a/b", "a:8x", "[::1", "a@b", "a:123456"}) {
    const std::string wire = "GET / HTTP/1.1\r\nHost: " + std::string(h) + "\r\n\r\n";
    expect_error(wire, Errc::bad_host, Status::bad_request);
  }
  for (std::string_view h : {"", "a", "a:80", "a:", "[::1]:8080", "10.0.0.1", "xn--bcher-kva.example"}) {
    const std::string wire = "GET / HTTP/1.1\r\nHost: " + std::string(h) + "\r\n\r\n";
    EXPECT_TRUE(parse_request(wire)) << h;
  }
}

// RFC 9110 §10.1.1
TEST(Expect, HundredContinueDetected) {
  RequestParser p;
  ASSERT_TRUE(
      p.parse_head("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n"));
  EXPECT_TRUE(p.head().expect_continue);
  RequestParser p10;
  ASSERT_TRUE(p10.parse_head("PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  EXPECT_FALSE(p10.head().expect_continue);  // a 1.0 request's expectation MUST be ignored
}

TEST(Expect, UnknownExpectationIs417) {
  RequestParser p;
  auto step = p.parse_head("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\n");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().code, Errc::expectation_failed);
  EXPECT_EQ(step.error().status, Status::expectation_failed);
  EXPECT_FALSE(step.error().must_close);
}

// RFC 9112 §9.3: persistence.
TEST(Connection, Persistence) {
  struct Case {
    std::string_view wire;
    bool keep_alive;
  };
  for (const Case& c : {
           Case{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: x\r\nConnection: close\r\n\r\n", false},
           Case{"GET / HTTP/1.0\r\n\r\n", false},
           Case{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n", false},
       }) {
    RequestParser p;
    ASSERT_TRUE(p.parse_head(c.wire)) << c.wire;
    EXPECT_EQ(p.head().keep_alive, c.keep_alive) << c.wire;
  }
}

// Limits (STYLE.md practice 4): 414, 431, 431, detected before the head is complete.
TEST(Limits, RequestLineTooLongIs414) {
  Limits l;
  l.max_start_line = 32;
  const std::string target(40, 'a');
  expect_error("GET /" + target + " HTTP/1.1\r\nHost: a\r\n\r\n", Errc::start_line_too_long,
               Status::uri_too_long, l);
  RequestParser p(l);
  auto step = p.parse_head("GET /" + target);  // no CRLF yet: already too long
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().status, Status::uri_too_long);
  EXPECT_TRUE(step.error().must_close);
  // Exactly at the limit is fine.
  EXPECT_TRUE(parse_request("GET /" + std::string(32 - 14, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", l));
}

TEST(Limits, HeaderBytesTooLargeIs431) {
  Limits l;
  l.max_head_bytes = 64;
  const std::string big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(60, 'b') + "\r\n\r\n";
  expect_error(big, Errc::head_too_large, Status::request_header_fields_too_large, l);
  RequestParser p(l);
  auto step = p.parse_head(std::string_view(big).substr(0, 65));  // incomplete but past the limit
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().status, Status::request_header_fields_too_large);
  const std::string exact = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(64 - 32, 'b') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 64u);
  EXPECT_TRUE(parse_request(exact, l));
}

TEST(Limits, TooManyFieldsIs431) {
  Limits l;
  l.max_fields = 3;
  EXPECT_TRUE(parse_request("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", l));
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", Errc::too_many_fields,
               Status::request_header_fields_too_large, l);
}

TEST(Limits, ContentLengthOverBodyLimitIs413) {
  Limits l;
  l.max_body_size = 10;
  expect_error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", Errc::body_too_large,
               Status::content_too_large, l);
  EXPECT_TRUE(parse_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", l));
}

TEST(Body, ContentLengthBodyStreamsInPieces) {
  RequestParser p;
  auto step = p.parse_head("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
  ASSERT_TRUE(step);
  EXPECT_EQ(p.head().framing, (Framing{BodyKind::length, 10}));
  auto b1 = p.parse_body("01234");
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->data, "01234");
  EXPECT_FALSE(b1->done);
  auto b2 = p.parse_body("56789GET / HTTP/1.1");  // the next request is not part of the body
  ASSERT_TRUE(b2);
  EXPECT_EQ(b2->data, "56789");
  EXPECT_EQ(b2->consumed, 5u);
  EXPECT_TRUE(b2->done);
  EXPECT_TRUE(p.done());
}

TEST(Body, ChunkedRequestWithTrailers) {
  auto r = parse_request(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;name=\"v;x\"\r\n world\r\n0\r\nX-Sum: 42\r\n\r\nNEXT");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.body, "hello world");
  EXPECT_EQ(r->trailers.get("x-sum"), "42");
  EXPECT_EQ(r->leftover, 4u);
}

TEST(Pipelining, ResetParsesTheNextRequest) {
  const std::string wire = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string_view buf = wire;
  RequestParser p;
  for (std::string_view target : {"/1", "/2"}) {
    auto step = p.parse_head(buf);
    ASSERT_TRUE(step);
    ASSERT_EQ(step->progress, Progress::complete);
    EXPECT_EQ(p.head().target, target);
    EXPECT_TRUE(p.done());
    buf.remove_prefix(step->consumed);
    p.reset();
  }
  EXPECT_TRUE(buf.empty());
}

TEST(ToOwned, CopiesEverything) {
  std::string wire = "PUT /x HTTP/1.1\r\nHost: a\r\nX-Y: z\r\n\r\n";
  RequestParser p;
  ASSERT_TRUE(p.parse_head(wire));
  Request owned = p.head().to_owned();
  wire.assign(wire.size(), '#');  // the borrowed bytes are gone; the owned copy is not
  EXPECT_EQ(owned, (Request{"PUT", "/x", http11, Fields{{"Host", "a"}, {"X-Y", "z"}}, ""}));
}

// Beast's parsegrind: every valid message, split into two pieces at every byte, and fed a byte at a time,
// parses to the same value as when it arrives whole.
const std::string_view kValidRequests[] = {
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "\r\nGET /x?y HTTP/1.0\r\nUser-Agent: t\r\nConnection: keep-alive\r\n\r\n",
    "POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world",
    "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\nU: w\r\n\r\n",
    "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: a\r\nMax-Forwards: 0\r\n\r\n",
};

TEST(ParseGrind, EverySplitPoint) {
  for (std::string_view wire : kValidRequests) {
    auto whole = parse_request(wire);
    ASSERT_TRUE(whole) << wire << describe(whole.error().code);
    for (std::size_t cut = 1; cut < wire.size(); ++cut) {
      RequestParser p;
      auto split = test::parse_pieces<RequestParser, Request>(p, test::split_at(wire, {cut}));
      ASSERT_TRUE(split) << "cut " << cut << ": " << wire;
      EXPECT_EQ(split->message, whole->message) << "cut " << cut;
      EXPECT_EQ(split->trailers, whole->trailers) << "cut " << cut;
    }
  }
}

TEST(ParseGrind, OneByteAtATime) {
  for (std::string_view wire : kValidRequests) {
    auto whole = parse_request(wire);
    ASSERT_TRUE(whole);
    RequestParser p;
    auto bytes = test::parse_pieces<RequestParser, Request>(p, test::bytewise(wire));
    ASSERT_TRUE(bytes) << wire;
    EXPECT_EQ(bytes->message, whole->message);
    EXPECT_EQ(bytes->trailers, whole->trailers);
  }
}

TEST(ParseGrind, ErrorsAreFoundWhateverTheSplit) {
  const std::string_view wire = "GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n";
  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    RequestParser p;
    auto r = test::parse_pieces<RequestParser, Request>(p, test::split_at(wire, {cut}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::space_before_colon);
  }
}

// Issue 18: a request line that can never become valid is answered as soon as it is known, not after the
// header timeout; a head that is still incomplete is enough.
TEST(RequestParser, ProtocolMismatchAnsweredBeforeTheHeadEnds) {
  {
    RequestParser p;  // HTTP/0.9: "GET /" and CRLF, then nothing more
    auto step = p.parse_head("GET /index.html\r\n");
    ASSERT_FALSE(step);
    EXPECT_EQ(step.error().code, Errc::http09_request);
    EXPECT_EQ(step.error().status, Status::bad_request);
  }
  {
    RequestParser p;  // the first bytes of a TLS ClientHello
    auto step = p.parse_head(std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    ASSERT_FALSE(step);
    EXPECT_EQ(step.error().code, Errc::tls_on_plain_port);
    EXPECT_TRUE(step.error().must_close);
  }
  // The ClientHello's random bytes are any bytes: an LF, a NUL or a blank line among them must not turn the
  // close into a 400 (the integration test failed on one random in seven).
  for (std::string_view random : {std::string_view("ab\ncd", 5), std::string_view("ab\0cd", 5),
                                  std::string_view("a\r\n\r\nb", 6), std::string_view("a\rb", 3)}) {
    RequestParser p;
    std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    hello.append(random);
    auto step = p.parse_head(hello);
    ASSERT_FALSE(step);
    EXPECT_EQ(step.error().code, Errc::tls_on_plain_port);
    EXPECT_TRUE(step.error().must_close);
  }
  {
    RequestParser p;  // a complete but broken request line, the fields still to come
    auto step = p.parse_head("GET /a HTTP/1.1 x\r\nHost: a\r\n");
    ASSERT_FALSE(step);
    EXPECT_EQ(step.error().code, Errc::bad_request_line);
  }
  {
    RequestParser p;  // a method that is no token, before the line ends
    auto step = p.parse_head("G\x01T");
    ASSERT_FALSE(step);
    EXPECT_EQ(step.error().code, Errc::bad_method);
  }
  {
    RequestParser p;  // a good request line keeps waiting for its fields
    auto step = p.parse_head("GET /a HTTP/1.1\r\nHost: a\r\n");
    ASSERT_TRUE(step);
    EXPECT_EQ(step->progress, Progress::need_more);
    step = p.parse_head("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(step);
    EXPECT_EQ(step->progress, Progress::complete);
    EXPECT_EQ(p.head().target, "/a");
  }
  expect_error("GET /\r\n\r\n", Errc::http09_request, Status::bad_request);
}

// RFC 9110 §4.2.4: userinfo in an absolute-form target is an error, in a server and in a proxy alike.
TEST(RequestParser, UserinfoInAbsoluteTargetRefused) {
  expect_error("GET http://user:pw@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n",
               Errc::userinfo_in_target, Status::bad_request);
  expect_error("GET http://@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n", Errc::userinfo_in_target,
               Status::bad_request);
  // An '@' in the path or query is data, not userinfo.
  EXPECT_TRUE(parse_request("GET http://example.com/a@b?c=d@e HTTP/1.1\r\nHost: example.com\r\n\r\n"));
}

// A reg-name whose percent-encoding hides CR LF (or anything else outside a host name) is a 400, in the
// target's authority and in Host.
TEST(RequestParser, PercentEncodedHostBytesChecked) {
  expect_error("GET http://localhost%0d%0aX-Injected:1/x HTTP/1.1\r\nHost: localhost\r\n\r\n",
               Errc::bad_target, Status::bad_request);
  expect_error("GET http://a%20b/x HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", Errc::bad_target, Status::bad_request);
  expect_error("GET /x HTTP/1.1\r\nHost: localhost%0d%0aX-Injected:1\r\n\r\n", Errc::bad_host,
               Status::bad_request);
  expect_error("GET /x HTTP/1.1\r\nHost: a%2\r\n\r\n", Errc::bad_host, Status::bad_request);
  // Encoded letters are still a host name.
  EXPECT_TRUE(parse_request("GET http://ex%41mple.com/ HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(parse_request("GET / HTTP/1.1\r\nHost: ex%61mple.com:8080\r\n\r\n"));
}

// Characters browsers send unencoded in a query stay acceptable in a target (never CTLs or spaces).
TEST(RequestParser, BrowserUrlCharactersAccepted) {
  auto r = parse_request("GET http://h/a?filter={\"a\":1}|x^`\\<> HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.target, "http://h/a?filter={\"a\":1}|x^`\\<>");
  expect_error("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", Errc::bad_target, Status::bad_request);
}

}  // namespace
}  // namespace endhost::http
