// The Decoder: every block of RFC 7541 Appendix C (C.2 to C.6) with the dynamic table after each, and the
// rules it enforces: indexes, size updates (§4.2, §6.3), the header list limit (RFC 9113 §6.5.2), failure.
#include <gtest/gtest.h>

#include <vector>

#include "hex.hpp"
#include "http2/hpack/decoder.hpp"

namespace endhost::http2::hpack {
namespace {

using test::unhex;

struct Pair {
  std::string_view name;
  std::string_view value;
};

struct Step {
  std::string_view block;    // hex
  std::vector<Pair> fields;  // decoded, in order
  std::vector<Pair> table;   // dynamic table afterwards, newest first
  std::size_t table_size;    // and its size
};

void expect_table(const DynamicTable& t, const std::vector<Pair>& want, std::size_t size) {
  ASSERT_EQ(t.count(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(t.entry(i).name, want[i].name) << i;
    EXPECT_EQ(t.entry(i).value, want[i].value) << i;
  }
  EXPECT_EQ(t.size(), size);
}

void run(std::uint32_t table_size, const std::vector<Step>& steps) {
  Decoder d({.header_table_size = table_size});
  for (std::size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<HeaderField> out;
    ASSERT_TRUE(d.decode(unhex(steps[i].block), out));
    ASSERT_EQ(out.size(), steps[i].fields.size());
    for (std::size_t j = 0; j < out.size(); ++j) {
      EXPECT_EQ(out[j].name, steps[i].fields[j].name);
      EXPECT_EQ(out[j].value, steps[i].fields[j].value);
      EXPECT_FALSE(out[j].never_indexed);
    }
    expect_table(d.table(), steps[i].table, steps[i].table_size);
  }
}

const std::vector<Pair> kRequest1 = {
    {":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
const std::vector<Pair> kRequest2 = {{":method", "GET"},
                                     {":scheme", "http"},
                                     {":path", "/"},
                                     {":authority", "www.example.com"},
                                     {"cache-control", "no-cache"}};
const std::vector<Pair> kRequest3 = {{":method", "GET"},
                                     {":scheme", "https"},
                                     {":path", "/index.html"},
                                     {":authority", "www.example.com"},
                                     {"custom-key", "custom-value"}};
const std::vector<Pair> kTable1 = {{":authority", "www.example.com"}};
const std::vector<Pair> kTable2 = {{"cache-control", "no-cache"}, {":authority", "www.example.com"}};
const std::vector<Pair> kTable3 = {
    {"custom-key", "custom-value"}, {"cache-control", "no-cache"}, {":authority", "www.example.com"}};

constexpr std::string_view kDate1 = "Mon, 21 Oct 2013 20:13:21 GMT";
constexpr std::string_view kDate2 = "Mon, 21 Oct 2013 20:13:22 GMT";
constexpr std::string_view kLocation = "https://www.example.com";
constexpr std::string_view kCookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const std::vector<Pair> kResponse1 = {
    {":status", "302"}, {"cache-control", "private"}, {"date", kDate1}, {"location", kLocation}};
const std::vector<Pair> kResponse2 = {
    {":status", "307"}, {"cache-control", "private"}, {"date", kDate1}, {"location", kLocation}};
const std::vector<Pair> kResponse3 = {
    {":status", "200"},      {"cache-control", "private"}, {"date", kDate2},
    {"location", kLocation}, {"content-encoding", "gzip"}, {"set-cookie", kCookie}};
const std::vector<Pair> kResponseTable1 = {
    {"location", kLocation}, {"date", kDate1}, {"cache-control", "private"}, {":status", "302"}};
const std::vector<Pair> kResponseTable2 = {
    {":status", "307"}, {"location", kLocation}, {"date", kDate1}, {"cache-control", "private"}};
const std::vector<Pair> kResponseTable3 = {
    {"set-cookie", kCookie}, {"content-encoding", "gzip"}, {"date", kDate2}};

TEST(Http2HpackDecoder, AppendixC2) {
  Decoder d;
  std::vector<HeaderField> out;
  // C.2.1 literal with indexing
  ASSERT_TRUE(d.decode(unhex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), out));
  EXPECT_EQ(out, (std::vector<HeaderField>{{"custom-key", "custom-header", false}}));
  expect_table(d.table(), {{"custom-key", "custom-header"}}, 55);

  // C.2.2 literal without indexing
  Decoder d2;
  out.clear();
  ASSERT_TRUE(d2.decode(unhex("040c 2f73 616d 706c 652f 7061 7468"), out));
  EXPECT_EQ(out, (std::vector<HeaderField>{{":path", "/sample/path", false}}));
  expect_table(d2.table(), {}, 0);

  // C.2.3 literal never indexed: the flag reaches the caller
  Decoder d3;
  out.clear();
  ASSERT_TRUE(d3.decode(unhex("1008 7061 7373 776f 7264 0673 6563 7265 74"), out));
  EXPECT_EQ(out, (std::vector<HeaderField>{{"password", "secret", true}}));
  expect_table(d3.table(), {}, 0);

  // C.2.4 indexed
  Decoder d4;
  out.clear();
  ASSERT_TRUE(d4.decode(unhex("82"), out));
  EXPECT_EQ(out, (std::vector<HeaderField>{{":method", "GET", false}}));
  expect_table(d4.table(), {}, 0);
}

TEST(Http2HpackDecoder, AppendixC3RequestsWithoutHuffman) {
  run(4096, {
                {"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", kRequest1, kTable1, 57},
                {"8286 84be 5808 6e6f 2d63 6163 6865", kRequest2, kTable2, 110},
                {"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65", kRequest3,
                 kTable3, 164},
            });
}

TEST(Http2HpackDecoder, AppendixC4RequestsWithHuffman) {
  run(4096, {
                {"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", kRequest1, kTable1, 57},
                {"8286 84be 5886 a8eb 1064 9cbf", kRequest2, kTable2, 110},
                {"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", kRequest3, kTable3, 164},
            });
}

constexpr std::string_view kC51 =
    "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 "
    "3120 "
    "474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
constexpr std::string_view kC52 = "4803 3330 37c1 c0bf";
constexpr std::string_view kC53 =
    "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 "
    "7738 "
    "666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 "
    "3d33 "
    "3630 303b 2076 6572 7369 6f6e 3d31";
constexpr std::string_view kC61 =
    "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad "
    "1718 "
    "63c7 8f0b 97c8 e9ae 82ae 43d3";
constexpr std::string_view kC62 = "4883 640e ffc1 c0bf";
constexpr std::string_view kC63 =
    "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 "
    "e6c7 "
    "b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07";

TEST(Http2HpackDecoder, AppendixC5ResponsesWithoutHuffman) {
  run(256, {
               {kC51, kResponse1, kResponseTable1, 222},
               {kC52, kResponse2, kResponseTable2, 222},
               {kC53, kResponse3, kResponseTable3, 215},
           });
}

TEST(Http2HpackDecoder, AppendixC6ResponsesWithHuffman) {
  run(256, {
               {kC61, kResponse1, kResponseTable1, 222},
               {kC62, kResponse2, kResponseTable2, 222},
               {kC63, kResponse3, kResponseTable3, 215},
           });
}

TEST(Http2HpackDecoder, CallbackSeesViews) {
  Decoder d;
  std::vector<std::string> seen;
  ASSERT_TRUE(d.decode(unhex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"), [&](const FieldView& f) {
    seen.push_back(std::string(f.name) + "=" + std::string(f.value));
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{":method=GET", ":scheme=http", ":path=/",
                                            ":authority=www.example.com"}));
}

Expected<void, DecodeError> decode(Decoder& d, std::string_view hex_block) {
  std::vector<HeaderField> out;
  return d.decode(unhex(hex_block), out);
}

TEST(Http2HpackDecoder, BadIndexes) {
  {
    Decoder d;
    EXPECT_EQ(decode(d, "80").error(), DecodeError::bad_index);  // indexed 0
    EXPECT_TRUE(d.failed());
    EXPECT_EQ(decode(d, "82").error(), DecodeError::failed);  // and nothing after
  }
  {
    Decoder d;
    EXPECT_EQ(decode(d, "be").error(), DecodeError::bad_index);  // 62, the table is empty
  }
  {
    Decoder d;
    EXPECT_TRUE(decode(d, "bd"));                                      // 61 is the static table's last
    EXPECT_EQ(decode(d, "7e 01 78").error(), DecodeError::bad_index);  // literal naming entry 62
  }
  {
    Decoder d;
    ASSERT_TRUE(decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
    EXPECT_TRUE(decode(d, "be"));
    EXPECT_EQ(decode(d, "bf").error(), DecodeError::bad_index);
  }
  {
    Decoder d;  // an index past 32 bits
    EXPECT_EQ(decode(d, "ff ff ff ff ff 7f").error(), DecodeError::integer_overflow);
  }
}

TEST(Http2HpackDecoder, Truncated) {
  for (const std::string_view block : {"40", "400a 6375", "4000", "0f", "1f", "5f", "04"}) {
    Decoder d;
    EXPECT_EQ(decode(d, block).error(), DecodeError::truncated) << block;
  }
  Decoder d;
  EXPECT_EQ(decode(d, "4088 25a8 49e9 5ba9 7d7f 81ff").error(), DecodeError::bad_huffman);
}

TEST(Http2HpackDecoder, SizeUpdateOnlyAtTheStart) {
  Decoder d;
  EXPECT_TRUE(decode(d, "3fe1 1f 20 3fe1 1f 82"));  // several at the start: 4096, 0, 4096
  EXPECT_EQ(d.table().max_size(), 4096u);
  EXPECT_EQ(decode(d, "82 20").error(), DecodeError::bad_table_size_update);
}

TEST(Http2HpackDecoder, SizeUpdateWithinTheSetting) {
  Decoder d({.header_table_size = 256});
  EXPECT_TRUE(decode(d, "3fe1 01"));  // 256
  EXPECT_EQ(d.table().max_size(), 256u);
  EXPECT_EQ(decode(d, "3fe2 01").error(), DecodeError::bad_table_size_update);  // 257
}

TEST(Http2HpackDecoder, SizeUpdateRequiredAfterTheSettingShrinks) {
  {
    Decoder d;
    ASSERT_TRUE(decode(d, "4003 6162 6301 78"));  // abc: x, indexed
    d.set_header_table_size(100);
    EXPECT_EQ(decode(d, "82").error(), DecodeError::missing_table_size_update);
  }
  {
    Decoder d;
    ASSERT_TRUE(decode(d, "4003 6162 6301 78"));
    d.set_header_table_size(100);
    EXPECT_TRUE(decode(d, "3f45 82"));  // 100
    EXPECT_EQ(d.table().max_size(), 100u);
    EXPECT_EQ(d.table().count(), 1u);
    EXPECT_TRUE(decode(d, "82"));  // owed once only
  }
  {
    Decoder d;  // down to 0 and back to 4096: the block must signal 0 first (§4.2)
    d.set_header_table_size(0);
    d.set_header_table_size(4096);
    EXPECT_EQ(decode(d, "3fe1 1f 82").error(), DecodeError::missing_table_size_update);
    Decoder d2;
    d2.set_header_table_size(0);
    d2.set_header_table_size(4096);
    EXPECT_TRUE(decode(d2, "20 3fe1 1f 82"));
  }
  {
    Decoder d;  // growing the setting asks for nothing
    d.set_header_table_size(8192);
    EXPECT_TRUE(decode(d, "82"));
    EXPECT_TRUE(decode(d, "3fe1 3f 82"));  // 8192 is now allowed
    EXPECT_EQ(d.table().max_size(), 8192u);
  }
}

TEST(Http2HpackDecoder, HeaderListLimit) {
  Decoder d({.max_header_list_size = 100});
  std::vector<HeaderField> out;
  // :method GET is 7 + 3 + 32 = 42: two fit, the third does not.
  EXPECT_TRUE(d.decode(unhex("8282"), out));
  out.clear();
  EXPECT_EQ(d.decode(unhex("828282"), out).error(), DecodeError::header_list_too_large);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(d.failed());  // not a compression error: the next block decodes
  EXPECT_FALSE(is_compression_error(DecodeError::header_list_too_large));
  EXPECT_TRUE(is_compression_error(DecodeError::bad_index));
  out.clear();
  EXPECT_TRUE(d.decode(unhex("82"), out));
}

TEST(Http2HpackDecoder, HeaderListLimitKeepsTheTableInStep) {
  Decoder d({.max_header_list_size = 60});
  std::vector<HeaderField> out;
  // :method GET fits (42); the indexed literal after it is over the limit, but still enters the table.
  EXPECT_EQ(
      d.decode(unhex("82 400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), out).error(),
      DecodeError::header_list_too_large);
  EXPECT_EQ(out.size(), 1u);
  ASSERT_EQ(d.table().count(), 1u);
  EXPECT_EQ(d.table().entry(0).value, "custom-header");
}

TEST(Http2HpackDecoder, DecodedSizeBombStopsAtTheLimit) {
  // One 4000-byte entry, then a block that names it 20000 times: 20000 bytes of block for 80 MB of fields.
  Decoder d({.header_table_size = 4096, .max_header_list_size = 64 * 1024});
  std::string first = unhex("40 01 78 7f a1 1e");  // x: 4000 bytes of v (7-bit prefix: 127 + 3873)
  ASSERT_EQ(first.size(), 6u);
  first.append(4000, 'v');
  std::vector<HeaderField> out;
  ASSERT_TRUE(d.decode(first, out));
  const std::string bomb(20000, '\xbe');
  out.clear();
  std::size_t delivered = 0;
  std::size_t bytes = 0;
  EXPECT_EQ(d.decode(bomb,
                     [&](const FieldView& f) {
                       ++delivered;
                       bytes += f.name.size() + f.value.size();
                     })
                .error(),
            DecodeError::header_list_too_large);
  EXPECT_EQ(delivered, 16u);  // 16 × 4033 ≤ 65536 < 17 × 4033
  EXPECT_LE(bytes, 64u * 1024);
  EXPECT_FALSE(d.failed());
}

TEST(Http2HpackDecoder, EmptyBlock) {
  Decoder d;
  std::vector<HeaderField> out;
  EXPECT_TRUE(d.decode("", out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace endhost::http2::hpack
