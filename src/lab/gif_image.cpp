#include "lab/gif_image.hpp"

#include <cmath>
#include <utility>

namespace endhost::lab {

namespace {

constexpr unsigned kColors = 128;     // global color table of 2^(6+1) entries
constexpr unsigned kMinCodeSize = 7;  // LZW minimum code size: pixel codes 0..127
constexpr unsigned kClear = 1u << kMinCodeSize;
constexpr unsigned kEnd = kClear + 1;
constexpr unsigned kCodeBits = kMinCodeSize + 1;
// The decoder adds a table entry per code after the first one following a clear, and widens codes to 9 bits
// when the table reaches 256 entries, i.e. after 127 codes. Restarting every 100 codes keeps every code 8
// bits wide, with margin for decoders that widen one code early.
constexpr unsigned kCodesPerClear = 100;

void put16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}

// Packs codes LSB first into the image data's sub-blocks of at most 255 bytes (GIF89a §22).
class CodeWriter {
 public:
  explicit CodeWriter(std::string& out) : out_(out) {}
  void put(unsigned code) {
    bits_ |= static_cast<std::uint32_t>(code) << nbits_;
    nbits_ += kCodeBits;
    while (nbits_ >= 8) {
      byte(static_cast<char>(bits_ & 0xff));
      bits_ >>= 8;
      nbits_ -= 8;
    }
  }
  void finish() {
    if (nbits_ > 0) byte(static_cast<char>(bits_ & 0xff));
    flush();
    out_ += '\0';  // block terminator
  }

 private:
  void byte(char c) {
    block_ += c;
    if (block_.size() == 255) flush();
  }
  void flush() {
    if (block_.empty()) return;
    out_ += static_cast<char>(block_.size());
    out_ += block_;
    block_.clear();
  }
  std::string& out_;
  std::string block_;
  std::uint32_t bits_ = 0;
  unsigned nbits_ = 0;
};

// A hue sweep, so rings of increasing index read as a rainbow.
void put_palette(std::string& out) {
  for (unsigned i = 0; i < kColors; ++i) {
    double h = 6.0 * i / kColors;
    double x = 1.0 - std::fabs(std::fmod(h, 2.0) - 1.0);
    double r = 0, g = 0, b = 0;
    switch (static_cast<int>(h)) {
      case 0:
        r = 1, g = x;
        break;
      case 1:
        r = x, g = 1;
        break;
      case 2:
        g = 1, b = x;
        break;
      case 3:
        g = x, b = 1;
        break;
      case 4:
        r = x, b = 1;
        break;
      default:
        r = 1, b = x;
        break;
    }
    // Pastel: mix with white so text drawn over the picture in a page stays readable.
    out += static_cast<char>(static_cast<unsigned>(100 + 155 * r));
    out += static_cast<char>(static_cast<unsigned>(100 + 155 * g));
    out += static_cast<char>(static_cast<unsigned>(100 + 155 * b));
  }
}

}  // namespace

std::string make_gif(std::uint32_t width, std::uint32_t height, std::uint32_t seed) {
  std::string out;
  out.reserve(800 + std::size_t{width} * height * 102 / 100);
  out += "GIF89a";
  put16(out, width);
  put16(out, height);
  out += static_cast<char>(0xF6);  // global color table, 8-bit color resolution, 128 entries
  out += '\0';                     // background color index
  out += '\0';                     // pixel aspect ratio: unspecified
  put_palette(out);
  out += ',';  // image descriptor
  put16(out, 0);
  put16(out, 0);
  put16(out, width);
  put16(out, height);
  out += '\0';  // no local color table, not interlaced
  out += static_cast<char>(kMinCodeSize);

  CodeWriter codes(out);
  const double cx = width * (0.3 + 0.4 * ((seed >> 3) % 8) / 8.0);
  const double cy = height * (0.3 + 0.4 * ((seed >> 6) % 8) / 8.0);
  const double ring = 3.0 + (seed % 5);
  unsigned since_clear = kCodesPerClear;
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      if (since_clear == kCodesPerClear) {
        codes.put(kClear);
        since_clear = 0;
      }
      double d = std::hypot(x - cx, y - cy) / ring;
      codes.put((static_cast<unsigned>(d) + seed) % kColors);
      ++since_clear;
    }
  }
  codes.put(kEnd);
  codes.finish();
  out += ';';  // trailer
  return out;
}

std::pair<std::uint32_t, std::uint32_t> gif_size_for_bytes(std::uint32_t bytes) {
  constexpr std::uint32_t kWidth = 100;
  std::uint32_t header = 800;  // header, palette, descriptor and block lengths, roughly
  std::uint32_t pixels = bytes > header ? bytes - header : kWidth;
  return {kWidth, std::max<std::uint32_t>(1, pixels / kWidth)};
}

}  // namespace endhost::lab
