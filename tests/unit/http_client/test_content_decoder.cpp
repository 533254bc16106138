// Content-Encoding decoders (RFC 9110 §8.4.1) for fetch --compressed: gzip, deflate, br, zstd, chained
// codings, truncation and corruption, and the decompression-bomb bound.
#include <gtest/gtest.h>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include "http/client/content_decoder.hpp"

using namespace endhost::http;
using endhost::Expected;
using endhost::Unexpected;

namespace {

std::string text() {
  std::string t;
  for (int i = 0; i < 5000; ++i) t += "line " + std::to_string(i) + " of a compressible body\n";
  return t;
}

std::string zlib_compress(const std::string& in, bool gzip) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, gzip ? 16 + MAX_WBITS : MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string brotli_compress(const std::string& in) {
  std::size_t size = BrotliEncoderMaxCompressedSize(in.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in.size(),
                        reinterpret_cast<const std::uint8_t*>(in.data()), &size,
                        reinterpret_cast<std::uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

std::string zstd_compress(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

// Feeds `encoded` in pieces of `step` bytes, as a body arrives from the network.
Expected<std::string, std::string> decode(std::string_view coding, const std::string& encoded,
                                          std::size_t step) {
  auto d = make_content_decoder(coding);
  if (!d) return Unexpected(d.error());
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += step)
    if (auto ok = (*d)->decode(std::string_view(encoded).substr(i, step), out); !ok)
      return Unexpected(ok.error());
  if (auto ok = (*d)->finish(out); !ok) return Unexpected(ok.error());
  return out;
}

}  // namespace

TEST(ContentDecoder, Rfc9110_8_4_1_EachCodingAtEverySplit) {
  const std::string t = text();
  const std::pair<std::string_view, std::string> cases[] = {{"gzip", zlib_compress(t, true)},
                                                            {"deflate", zlib_compress(t, false)},
                                                            {"br", brotli_compress(t)},
                                                            {"zstd", zstd_compress(t)}};
  for (const auto& [coding, encoded] : cases)
    for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, encoded.size()}) {
      auto got = decode(coding, encoded, step);
      ASSERT_TRUE(got) << coding << ": " << got.error();
      EXPECT_EQ(*got, t) << coding << " step " << step;
    }
}

TEST(ContentDecoder, Rfc9110_8_4_ChainedCodingsDecodeInReverse) {
  const std::string t = text();
  auto got = decode("gzip, br", brotli_compress(zlib_compress(t, true)), 100);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(*got, t);
}

TEST(ContentDecoder, IdentityAndUnknownCodings) {
  auto identity = make_content_decoder("identity");
  ASSERT_TRUE(identity);
  EXPECT_FALSE(*identity);
  EXPECT_FALSE(make_content_decoder("compress"));
}

TEST(ContentDecoder, TruncatedAndCorruptDataAreErrors) {
  const std::string t = text();
  for (std::string_view coding : {"gzip", "br", "zstd"}) {
    std::string encoded = coding == "gzip" ? zlib_compress(t, true)
                          : coding == "br" ? brotli_compress(t)
                                           : zstd_compress(t);
    EXPECT_FALSE(decode(coding, encoded.substr(0, encoded.size() / 2), 512)) << coding;
    std::string corrupt = encoded;
    for (std::size_t i = 10; i < corrupt.size(); i += 7) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    EXPECT_FALSE(decode(coding, corrupt, 512)) << coding;
  }
}

TEST(ContentDecoder, DecompressionBombIsRefused) {
  const std::string zeros(64 << 20, '\0');
  auto got = decode("zstd", zstd_compress(zeros), 1 << 16);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().find("times its compressed size"), std::string::npos);
}

// The bound holds inside one decode() call: the whole bomb arrives in one read, and the decoder must stop
// within one output block (64 KiB) of the bound instead of expanding all 64 MiB first. What it produced up
// to the bound is in `out` (the last decoder writes there directly), so its size is what was decoded.
TEST(ContentDecoder, DecompressionBombStopsWithinOneBlockOfTheBound) {
  const std::string zeros(64 << 20, '\0');
  const std::size_t bound = (1 << 20) + (64 << 10);
  const std::pair<std::string_view, std::string> cases[] = {{"gzip", zlib_compress(zeros, true)},
                                                            {"deflate", zlib_compress(zeros, false)},
                                                            {"br", brotli_compress(zeros)},
                                                            {"zstd", zstd_compress(zeros)}};
  for (const auto& [coding, encoded] : cases) {
    ASSERT_LT(encoded.size() * 10, std::size_t{1} << 20) << coding;  // so the 1 MiB floor is the bound
    auto d = make_content_decoder(coding, 10);
    ASSERT_TRUE(d && *d);
    std::string out;
    auto ok = (*d)->decode(encoded, out);
    ASSERT_FALSE(ok) << coding;
    EXPECT_NE(ok.error().find("times its compressed size"), std::string::npos) << coding;
    EXPECT_GE(out.size(), std::size_t{1} << 20) << coding;
    EXPECT_LE(out.size(), bound) << coding;
  }
  // A chain: the inner decoder's output is bounded too.
  auto d = make_content_decoder("gzip, br", 10);
  ASSERT_TRUE(d && *d);
  std::string out;
  ASSERT_FALSE((*d)->decode(brotli_compress(zlib_compress(zeros, true)), out));
  EXPECT_GE(out.size(), std::size_t{1} << 20);
  EXPECT_LE(out.size(), bound);
}
