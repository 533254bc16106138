// The generated GIFs are real GIF89a: a decoder written from the specification (LZW with variable code
// width, clear and end codes) gets back exactly width x height pixels, and the size is what the page-load
// experiment expects (about a byte per pixel).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lab/gif_image.hpp"

namespace endhost::lab {
namespace {

// Decodes the first image's pixel indices (GIF89a §22, Appendix F); empty on any format error.
std::vector<std::uint8_t> decode(const std::string& gif, unsigned& width, unsigned& height) {
  auto u8 = [&](std::size_t i) { return static_cast<std::uint8_t>(gif.at(i)); };
  if (gif.substr(0, 6) != "GIF89a") return {};
  width = u8(6) | (u8(7) << 8);
  height = u8(8) | (u8(9) << 8);
  std::size_t pos = 13;
  if (u8(10) & 0x80) pos += 3u * (1u << ((u8(10) & 7) + 1));
  if (u8(pos) != ',') return {};
  pos += 10;
  unsigned min_code = u8(pos++);
  std::string data;
  while (u8(pos) != 0) {
    std::size_t len = u8(pos);
    data += gif.substr(pos + 1, len);
    pos += len + 1;
  }
  if (u8(pos + 1) != ';') return {};
  const unsigned clear = 1u << min_code, end = clear + 1;
  std::vector<std::vector<std::uint8_t>> table;
  auto reset = [&] {
    table.clear();
    for (unsigned i = 0; i < clear + 2; ++i) table.push_back({static_cast<std::uint8_t>(i)});
  };
  reset();
  unsigned width_bits = min_code + 1;
  std::size_t bit = 0;
  std::vector<std::uint8_t> out, prev;
  for (;;) {
    if (bit + width_bits > data.size() * 8) return {};
    unsigned code = 0;
    for (unsigned i = 0; i < width_bits; ++i, ++bit) {
      code |= ((static_cast<std::uint8_t>(data[bit / 8]) >> (bit % 8)) & 1u) << i;
    }
    if (code == clear) {
      reset();
      width_bits = min_code + 1;
      prev.clear();
      continue;
    }
    if (code == end) break;
    std::vector<std::uint8_t> entry;
    if (code < table.size()) {
      entry = table[code];
    } else if (code == table.size() && !prev.empty()) {
      entry = prev;
      entry.push_back(prev[0]);
    } else {
      return {};
    }
    out.insert(out.end(), entry.begin(), entry.end());
    if (!prev.empty()) {
      auto grown = prev;
      grown.push_back(entry[0]);
      table.push_back(grown);
      if (table.size() == (1u << width_bits) && width_bits < 12) ++width_bits;
    }
    prev = entry;
  }
  return out;
}

TEST(GifImage, DecodesToEveryPixel) {
  for (auto [w, h] : {std::pair{1u, 1u}, std::pair{320u, 200u}, std::pair{7u, 300u}, std::pair{160u, 120u}}) {
    std::string gif = make_gif(w, h, 42);
    unsigned dw = 0, dh = 0;
    auto pixels = decode(gif, dw, dh);
    EXPECT_EQ(dw, w);
    EXPECT_EQ(dh, h);
    EXPECT_EQ(pixels.size(), std::size_t{w} * h) << w << "x" << h;
  }
}

TEST(GifImage, SizeFollowsTheAskedBytes) {
  auto [w, h] = gif_size_for_bytes(20'000);
  std::string gif = make_gif(w, h, 1);
  EXPECT_GT(gif.size(), 18'000u);
  EXPECT_LT(gif.size(), 22'000u);
}

TEST(GifImage, SeedChangesThePicture) {
  EXPECT_NE(make_gif(50, 50, 1), make_gif(50, 50, 2));
  EXPECT_EQ(make_gif(50, 50, 3), make_gif(50, 50, 3));
}

}  // namespace
}  // namespace endhost::lab
