// The Encoder: Appendix C's blocks from the same fields, its indexing choices, size updates (§4.2), and
// encoder → decoder round trips of random field lists across table size changes.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "hex.hpp"
#include "http2/hpack/decoder.hpp"
#include "http2/hpack/encoder.hpp"

namespace endhost::http2::hpack {
namespace {

using test::hex;
using test::unhex;

std::string encode(Encoder& e, std::vector<FieldView> fields) {
  std::string out;
  e.encode(fields, out);
  return hex(out);
}

const std::vector<FieldView> kRequest1 = {
    {":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
const std::vector<FieldView> kRequest2 = {{":method", "GET"},
                                          {":scheme", "http"},
                                          {":path", "/"},
                                          {":authority", "www.example.com"},
                                          {"cache-control", "no-cache"}};
const std::vector<FieldView> kRequest3 = {{":method", "GET"},
                                          {":scheme", "https"},
                                          {":path", "/index.html"},
                                          {":authority", "www.example.com"},
                                          {"custom-key", "custom-value"}};

TEST(Http2HpackEncoder, AppendixC3) {
  Encoder e({.huffman = false});
  EXPECT_EQ(encode(e, kRequest1), hex(unhex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")));
  EXPECT_EQ(encode(e, kRequest2), hex(unhex("8286 84be 5808 6e6f 2d63 6163 6865")));
  EXPECT_EQ(encode(e, kRequest3),
            hex(unhex("8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65")));
  EXPECT_EQ(e.table().size(), 164u);
}

TEST(Http2HpackEncoder, AppendixC4) {
  Encoder e;
  EXPECT_EQ(encode(e, kRequest1), hex(unhex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")));
  EXPECT_EQ(encode(e, kRequest2), hex(unhex("8286 84be 5886 a8eb 1064 9cbf")));
  EXPECT_EQ(encode(e, kRequest3), hex(unhex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")));
}

TEST(Http2HpackEncoder, AppendixC2) {
  Encoder e({.huffman = false});
  EXPECT_EQ(encode(e, {{"custom-key", "custom-header"}}),
            hex(unhex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")));
  EXPECT_EQ(encode(e, {{":path", "/sample/path"}}), hex(unhex("040c 2f73 616d 706c 652f 7061 7468")));
  EXPECT_EQ(encode(e, {{"password", "secret", true}}),
            hex(unhex("1008 7061 7373 776f 7264 0673 6563 7265 74")));
  EXPECT_EQ(encode(e, {{":method", "GET"}}), "82");
}

// C.5/C.6 with SETTINGS_HEADER_TABLE_SIZE 256. The third response differs from the RFC's on purpose:
// set-cookie is sent without indexing (see the encoder's policy), so only the first two are compared.
TEST(Http2HpackEncoder, AppendixC5AndC6) {
  const std::vector<FieldView> response1 = {{":status", "302"},
                                            {"cache-control", "private"},
                                            {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                                            {"location", "https://www.example.com"}};
  std::vector<FieldView> response2 = response1;
  response2[0].value = "307";
  for (const bool huffman : {false, true}) {
    Encoder e({.max_table_size = 4096, .huffman = huffman});
    e.set_peer_header_table_size(256);
    std::string out;
    e.encode(response1, out);
    // The size update the RFC's examples leave out (their decoder starts at 256), then the RFC's bytes.
    ASSERT_EQ(hex(out.substr(0, 3)), "3fe101");
    EXPECT_EQ(hex(out.substr(3)),
              huffman
                  ? hex(unhex("4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 "
                              "82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"))
                  : hex(unhex("4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 "
                              "3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 "
                              "7861 6d70 6c65 2e63 6f6d")));
    // "307" is 3 bytes either way; the RFC Huffman-codes it (4883 640eff), we send it raw when not shorter.
    EXPECT_EQ(encode(e, response2), "4803333037c1c0bf");
    EXPECT_EQ(e.table().size(), 222u);
  }
}

TEST(Http2HpackEncoder, SensitiveFieldsAreNeverIndexed) {
  Encoder e({.huffman = false});
  std::vector<HeaderField> got;
  Decoder d;
  std::string out;
  const std::vector<FieldView> fields = {{"authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"},
                                         {"proxy-authorization", "Bearer x"},
                                         {"cookie", "sid=31d4d96e407aad42"},  // 20 bytes: indexed
                                         {"cookie", "sid=1234"},              // short: guessable
                                         {"x-token", "abc", true}};
  e.encode(fields, out);
  ASSERT_TRUE(d.decode(out, got));
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(got[0].never_indexed);
  EXPECT_TRUE(got[1].never_indexed);
  EXPECT_FALSE(got[2].never_indexed);
  EXPECT_TRUE(got[3].never_indexed);
  EXPECT_TRUE(got[4].never_indexed);
  ASSERT_EQ(e.table().count(), 1u);
  EXPECT_EQ(e.table().entry(0).value, "sid=31d4d96e407aad42");
  // Sent again: still literals (an exact match in a table is not used for a sensitive field).
  out.clear();
  e.encode(fields, out);
  got.clear();
  ASSERT_TRUE(d.decode(out, got));
  EXPECT_TRUE(got[0].never_indexed);
  EXPECT_EQ(got[2].value, "sid=31d4d96e407aad42");
  EXPECT_FALSE(got[2].never_indexed);
}

TEST(Http2HpackEncoder, Indexing) {
  Encoder e;
  std::string out;
  const std::string big(3100, 'x');
  const std::vector<FieldView> fields = {{"content-type", "text/html"}, {"content-length", "1234"},
                                         {"set-cookie", "a=b; Path=/"}, {"server", "endhost"},
                                         {"etag", "\"abc\""},           {"x-big", big}};
  e.encode(fields, out);
  // Indexed: content-type and server; not: content-length, set-cookie, etag, and a field over 3/4 of the
  // table.
  ASSERT_EQ(e.table().count(), 2u);
  EXPECT_EQ(e.table().entry(0).name, "server");
  EXPECT_EQ(e.table().entry(1).name, "content-type");
  out.clear();
  e.encode(std::vector<FieldView>{{"content-type", "text/html"}, {"server", "endhost"}}, out);
  EXPECT_EQ(hex(out), "bfbe");
}

// content-length, etag, last-modified are literals without indexing with a static name (§6.2.2); their
// bytes are kept per thread by name and reused for a repeated value: whatever encoder, option or value
// came between, each block must be the one the field alone gives.
TEST(Http2HpackEncoder, RepeatedLiteralsComeOutTheSameAcrossEncoders) {
  Encoder huff;
  Encoder plain(EncoderOptions{4096, false});
  // 0f0d: literal without indexing, static name 28 (content-length); then the value.
  EXPECT_EQ(encode(plain, {{"content-length", "1024"}}), "0f0d0431303234");
  EXPECT_EQ(encode(huff, {{"content-length", "1024"}}),
            "0f0d830804d7");  // Huffman "1024": 00001 00000 00010 011010, EOS padding
  EXPECT_EQ(encode(plain, {{"content-length", "1024"}}), "0f0d0431303234");
  EXPECT_EQ(encode(plain, {{"content-length", "1025"}}), "0f0d0431303235");
  EXPECT_EQ(encode(huff, {{"content-length", "1024"}}), "0f0d830804d7");
  // Two names, each its own slot.
  EXPECT_EQ(encode(plain, {{"etag", "\"a\""}, {"content-length", "7"}}),
            "0f1303226122"
            "0f0d0137");
  EXPECT_EQ(encode(plain, {{"etag", "\"a\""}, {"content-length", "7"}}),
            "0f1303226122"
            "0f0d0137");
  // Nothing went into either table.
  EXPECT_EQ(plain.table().count(), 0u);
  EXPECT_EQ(huff.table().count(), 0u);
  // A sensitive field of such a name stays never-indexed (§6.2.3), not the cached form.
  EXPECT_EQ(encode(plain, {{"content-length", "7", true}}), "1f0d0137");
  // Round trip through a decoder.
  std::string block;
  huff.encode(std::vector<FieldView>{{"last-modified", "Fri, 04 Dec 2026 19:37:00 GMT"}}, block);
  huff.encode(std::vector<FieldView>{{"last-modified", "Fri, 04 Dec 2026 19:37:00 GMT"}}, block);
  Decoder d;
  std::vector<HeaderField> got;
  ASSERT_TRUE(d.decode(block, got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].value, "Fri, 04 Dec 2026 19:37:00 GMT");
}

TEST(Http2HpackEncoder, SizeUpdates) {
  Encoder e;
  std::string out;
  e.encode(std::vector<FieldView>{{":method", "GET"}}, out);
  EXPECT_EQ(hex(out), "82");  // the peer's table is 4096 and so is ours: nothing to say

  e.set_peer_header_table_size(0);
  e.set_peer_header_table_size(1000);
  out.clear();
  e.encode(std::vector<FieldView>{{":method", "GET"}}, out);
  EXPECT_EQ(hex(out),
            "20"
            "3fc907"
            "82");  // the smallest, then the final (§4.2)

  e.set_peer_header_table_size(500);
  out.clear();
  e.encode(std::vector<FieldView>{{":method", "GET"}}, out);
  EXPECT_EQ(hex(out),
            "3fd503"
            "82");

  e.set_peer_header_table_size(600);
  e.set_peer_header_table_size(500);  // back where it was: nothing owed
  out.clear();
  e.encode(std::vector<FieldView>{{":method", "GET"}}, out);
  EXPECT_EQ(hex(out), "82");

  e.set_peer_header_table_size(1u << 20);  // more than we keep: our own maximum, 4096
  out.clear();
  e.encode(std::vector<FieldView>{{":method", "GET"}}, out);
  EXPECT_EQ(hex(out),
            "3fe11f"
            "82");
  EXPECT_EQ(e.table().max_size(), 4096u);

  Encoder small({.max_table_size = 100});  // below the initial 4096: said in the first block
  out.clear();
  small.encode(std::vector<FieldView>{{":method", "GET"}}, out);
  EXPECT_EQ(hex(out),
            "3f45"
            "82");
}

// Random field lists through an encoder and a decoder that agree on settings changes, as the two ends of
// a connection do once SETTINGS is acknowledged.
TEST(Http2HpackEncoder, RandomRoundTrip) {
  std::mt19937 rng(20240707);
  const std::vector<std::string> names = {":status",         ":method",    ":path",         "content-type",
                                          "cookie",          "date",       "authorization", "x-request-id",
                                          "x-Mixed",         "",           "etag",          "set-cookie",
                                          "accept-encoding", "user-agent", "custom-key"};
  const std::vector<std::string> values = {"",
                                           "200",
                                           "GET",
                                           "/",
                                           "text/html",
                                           "gzip, deflate",
                                           "a",
                                           "\x01\xff",
                                           std::string(300, 'z'),
                                           std::string(2000, 'q'),
                                           "caf\xc3\xa9"};
  for (const bool huffman : {false, true}) {
    Encoder e({.max_table_size = 4096, .huffman = huffman});
    Decoder d({.header_table_size = 4096, .max_header_list_size = 1u << 20});
    for (int block = 0; block < 1500; ++block) {
      if (rng() % 20 == 0) {
        const std::uint32_t size = rng() % 3 == 0 ? 0 : rng() % 5000;
        d.set_header_table_size(size);
        e.set_peer_header_table_size(size);
        if (rng() % 2) {
          const std::uint32_t again = rng() % 5000;
          d.set_header_table_size(again);
          e.set_peer_header_table_size(again);
        }
      }
      std::vector<HeaderField> fields(rng() % 12);
      for (auto& f : fields) {
        f.name = names[rng() % names.size()];
        f.value = rng() % 3 == 0 ? std::to_string(rng() % 50) : values[rng() % values.size()];
        f.never_indexed = rng() % 10 == 0;
      }
      std::string out;
      e.encode(fields, out);
      std::vector<HeaderField> got;
      ASSERT_TRUE(d.decode(out, got)) << block;
      ASSERT_EQ(got.size(), fields.size()) << block;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        EXPECT_EQ(got[i].name, fields[i].name);
        EXPECT_EQ(got[i].value, fields[i].value);
        EXPECT_EQ(got[i].never_indexed, is_sensitive(fields[i].view()));
      }
      // Both tables hold the same entries.
      ASSERT_EQ(d.table().count(), e.table().count()) << block;
      ASSERT_EQ(d.table().size(), e.table().size()) << block;
      ASSERT_LE(e.table().max_size(), d.table().max_size());
    }
  }
}

}  // namespace
}  // namespace endhost::http2::hpack
