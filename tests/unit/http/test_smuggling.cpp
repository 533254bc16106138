// Request smuggling (RFC 9112 §6, §11.2): every ambiguous framing is refused, and every such refusal closes
// the connection, because a front end may have framed the same bytes differently.
#include <gtest/gtest.h>

#include <string>

#include "http/request_parser.hpp"
#include "http_test_util.hpp"

namespace endhost::http {
namespace {

using test::parse_request;

std::string post(std::string_view fields, std::string_view version = "HTTP/1.1") {
  return "POST / " + std::string(version) + "\r\nHost: a\r\n" + std::string(fields) + "\r\n";
}

void expect_refused(const std::string& wire, Errc code, Status status = Status::bad_request) {
  auto r = parse_request(wire + "0\r\n\r\n");
  ASSERT_FALSE(r) << wire;
  EXPECT_EQ(r.error().code, code) << wire << " → " << describe(r.error().code);
  EXPECT_EQ(r.error().status, status) << wire;
  EXPECT_TRUE(r.error().must_close) << wire;
}

// CL.TE and TE.CL: §6.1 "a server MAY reject a request that contains both … and MUST close".
TEST(Smuggling, ClTeBothPresentIs400AndClose) {
  expect_refused(post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n"), Errc::te_and_cl);
  expect_refused(post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n"), Errc::te_and_cl);
  expect_refused(post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"), Errc::te_and_cl);
}

// TE.TE: obfuscated Transfer-Encoding values a lenient parser might read as chunked, or not.
TEST(Smuggling, TeObfuscationsAre400AndClose) {
  for (std::string_view te :
       {"xchunked", "chunked, identity", "identity", "chunkedx", "chunked;x=1", "\"chunked\"",
        "chunked, chunked", "chunked, gzip", ",", "chunk", "chunked\x0b"}) {
    SCOPED_TRACE(te);
    auto r = parse_request(post("Transfer-Encoding: " + std::string(te) + "\r\n") + "0\r\n\r\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, Status::bad_request);
    EXPECT_TRUE(r.error().must_close);
  }
}

TEST(Smuggling, TeSplitOverTwoLinesChunkedTwiceIs400) {
  expect_refused(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
                 Errc::bad_transfer_encoding);
  expect_refused(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
                 Errc::bad_transfer_encoding);
  expect_refused(post("Transfer-Encoding:\r\n"), Errc::bad_transfer_encoding);
}

TEST(Smuggling, TeNameWithWhitespaceIs400) {
  // " Transfer-Encoding" is obs-fold/whitespace before the field; "Transfer-Encoding :" is §5.1.
  expect_refused("POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n", Errc::obs_fold);
  expect_refused(post("Transfer-Encoding : chunked\r\n"), Errc::space_before_colon);
  expect_refused(post("Transfer-Encoding\t: chunked\r\n"), Errc::space_before_colon);
  expect_refused(post("X: y\r\n Transfer-Encoding: chunked\r\n"), Errc::obs_fold);
}

TEST(Smuggling, TeValueCaseAndWhitespaceAreFine) {
  for (std::string_view te : {"chunked", "Chunked", "CHUNKED", " chunked ", "\tchunked"}) {
    auto r = parse_request(post("Transfer-Encoding:" + std::string(te) + "\r\n") + "1\r\nx\r\n0\r\n\r\n");
    ASSERT_TRUE(r) << te;
    EXPECT_EQ(r->message.body, "x");
  }
}

TEST(Smuggling, UnsupportedCodingBeforeChunkedIs501) {
  expect_refused(post("Transfer-Encoding: gzip, chunked\r\n"), Errc::unknown_transfer_coding,
                 Status::not_implemented);
}

// §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing.
TEST(Smuggling, TeInHttp10Is400AndClose) {
  expect_refused(post("Transfer-Encoding: chunked\r\n", "HTTP/1.0"), Errc::te_in_http10);
}

// §6.3 item 5 / RFC 9110 §8.6.
TEST(Smuggling, InvalidContentLengthIs400AndClose) {
  for (std::string_view cl : {"+5", "-5", "5 5", "5,6", "5, 6", "0x5", "5.0", "", " ", "5,", ",5", "5;q=1",
                              "99999999999999999999", "1000000000000000000", "\"5\"", "５"}) {
    SCOPED_TRACE(cl);
    auto r = parse_request(post("Content-Length: " + std::string(cl) + "\r\n") + "hello");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, Status::bad_request);
    EXPECT_EQ(r.error().code, Errc::bad_content_length);
    EXPECT_TRUE(r.error().must_close);
  }
}

TEST(Smuggling, DifferingContentLengthFieldsAre400) {
  expect_refused(post("Content-Length: 5\r\nContent-Length: 6\r\n"), Errc::bad_content_length);
  expect_refused(post("Content-Length: 5\r\nContent-Length: 5, 6\r\n"), Errc::bad_content_length);
}

TEST(Smuggling, IdenticalContentLengthsAreOneValue) {
  // RFC 9110 §8.6 lets a recipient accept "42, 42" as 42: the values cannot disagree.
  for (std::string_view fields : {"Content-Length: 5, 5\r\n", "Content-Length: 5\r\nContent-Length: 5\r\n",
                                  "Content-Length: 005\r\n"}) {
    auto r = parse_request(post(fields) + "hello");
    ASSERT_TRUE(r) << fields;
    EXPECT_EQ(r->message.body, "hello");
  }
}

TEST(Smuggling, ContentLengthLeavesPipelinedBytesAlone) {
  auto r = parse_request(post("Content-Length: 5\r\n") + "helloGET /admin HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.body, "hello");
  EXPECT_EQ(r->leftover, 32u);
}

// Chunk framing tricks that fool lenient decoders.
TEST(Smuggling, ChunkSizeTricksAre400AndClose) {
  for (std::string_view body :
       {"+5\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
        " 5\r\nhello\r\n0\r\n\r\n", "5 \r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n",
        "5\r\nhello\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n", "5\rhello\r\n0\r\n\r\n", "10000000000000000\r\n",
        "ffffffffffffffff1\r\n", "\r\n0\r\n\r\n", "0\r\n\n", "5;\r\nhello\r\n0\r\n\r\n",
        "5;a=\r\nhello\r\n0\r\n\r\n", "5;a=\"x\r\nhello\r\n0\r\n\r\n"}) {
    SCOPED_TRACE(body);
    auto r = parse_request(post("Transfer-Encoding: chunked\r\n") + std::string(body));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().must_close);
    EXPECT_NE(r.error().code, Errc::unexpected_eof);
  }
}

TEST(Smuggling, ChunkedBodyOverLimitIs413) {
  Limits l;
  l.max_body_size = 8;
  auto r = parse_request(post("Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n4\r\nabcd\r\n0\r\n\r\n", l);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, Status::content_too_large);
  EXPECT_TRUE(r.error().must_close);
  EXPECT_TRUE(
      parse_request(post("Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", l));
}

}  // namespace
}  // namespace endhost::http
