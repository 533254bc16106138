#include "http2/hpack/huffman.hpp"

#include <array>
#include <cstdint>

namespace endhost::http2::hpack {
namespace {

// Appendix B's code lengths in bits, by symbol (0-255, then EOS = 256). The code is canonical: codes of
// one length are consecutive in symbol order and each length's first code follows the previous length's
// last (shifted left), so the lengths alone define it. static_asserts below check it against the RFC.
constexpr std::array<std::uint8_t, 257> kLength = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,  // 0x00
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,  // 0x10
    6,  10, 10, 12, 13, 6,  8,  11, 10, 10, 8,  11, 8,  6,  6,  6,   // 0x20 ' ' .. '/'
    5,  5,  5,  6,  6,  6,  6,  6,  6,  6,  7,  8,  15, 6,  12, 10,  // 0x30 '0' .. '?'
    13, 6,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,   // 0x40 '@' .. 'O'
    7,  7,  7,  7,  7,  7,  7,  7,  8,  7,  8,  13, 19, 13, 14, 6,   // 0x50 'P' .. '_'
    15, 5,  6,  5,  6,  5,  6,  6,  6,  5,  7,  7,  6,  6,  6,  5,   // 0x60 '`' .. 'o'
    6,  7,  6,  5,  5,  6,  7,  7,  7,  7,  7,  15, 11, 14, 13, 28,  // 0x70 'p' .. DEL
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,  // 0x80
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,  // 0x90
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,  // 0xa0
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,  // 0xb0
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,  // 0xc0
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,  // 0xd0
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,  // 0xe0
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,  // 0xf0
    30,                                                              // EOS
};

constexpr int kEos = 256;

struct Code {
  std::uint32_t bits = 0;  // right-aligned
  std::uint8_t length = 0;
};

constexpr std::array<Code, 257> make_codes() {
  std::array<Code, 257> codes{};
  std::uint32_t next = 0;
  for (std::uint8_t length = 1; length <= 30; ++length) {
    for (std::size_t sym = 0; sym < codes.size(); ++sym) {
      if (kLength[sym] == length) codes[sym] = {next++, length};
    }
    next <<= 1;
  }
  return codes;
}

constexpr std::array<Code, 257> kCode = make_codes();

// A complete prefix code: the Kraft sum is exactly one (a mistyped length breaks this).
constexpr bool kraft_complete() {
  std::uint64_t sum = 0;
  for (const auto l : kLength) sum += std::uint64_t{1} << (30 - l);
  return sum == (std::uint64_t{1} << 30);
}
static_assert(kraft_complete());
// Spot checks against Appendix B's "code as hex" column.
static_assert(kCode[0].bits == 0x1ff8 && kCode[1].bits == 0x7fffd8 && kCode[' '].bits == 0x14);
static_assert(kCode['!'].bits == 0x3f8 && kCode['a'].bits == 0x3 && kCode['~'].bits == 0x1ffd);
static_assert(kCode[128].bits == 0xfffe6 && kCode[203].bits == 0x7ffffde && kCode[255].bits == 0x3ffffee);
static_assert(kCode[kEos].bits == 0x3fffffff && kCode[kEos].length == 30);

// The decoder's states are the code tree's 256 internal nodes (257 leaves); state 0 is the root. From each
// state, each 4-bit nibble leads to a state and emits at most one symbol (no code is shorter than 5 bits).
struct Tree {
  // child[node][bit]: ≥ 0 an internal node, < 0 the leaf of symbol -(child + 1).
  std::array<std::array<std::int16_t, 2>, 256> child{};
  std::array<std::uint8_t, 256> depth{};
  std::array<bool, 256> all_ones{};  // the path from the root is all 1 bits (a prefix of EOS)
};

constexpr Tree make_tree() {
  Tree t;
  for (auto& c : t.child) c = {0, 0};  // 0 = not yet set (the root is never a child)
  t.all_ones[0] = true;
  std::int16_t nodes = 1;
  for (int sym = 0; sym <= kEos; ++sym) {
    const Code c = kCode[static_cast<std::size_t>(sym)];
    std::int16_t node = 0;
    for (int i = c.length - 1; i > 0; --i) {
      const int bit = (c.bits >> i) & 1;
      auto& next = t.child[static_cast<std::size_t>(node)][static_cast<std::size_t>(bit)];
      if (next == 0) {
        next = nodes++;
        t.depth[static_cast<std::size_t>(next)] =
            static_cast<std::uint8_t>(t.depth[static_cast<std::size_t>(node)] + 1);
        t.all_ones[static_cast<std::size_t>(next)] = t.all_ones[static_cast<std::size_t>(node)] && bit == 1;
      }
      node = next;
    }
    t.child[static_cast<std::size_t>(node)][c.bits & 1] = static_cast<std::int16_t>(-(sym + 1));
  }
  return t;
}

enum : std::uint8_t {
  kEmit = 1,    // `symbol` is decoded on this step
  kFail = 2,    // EOS decoded: the string is invalid
  kAccept = 4,  // the string may end in `next`: nothing pending, or at most 7 one-bits of padding
};

struct Step {
  std::uint8_t next = 0;
  std::uint8_t flags = 0;
  std::uint8_t symbol = 0;
};

using StepTable = std::array<std::array<Step, 16>, 256>;

constexpr StepTable make_steps() {
  const Tree t = make_tree();
  StepTable table{};
  for (std::size_t state = 0; state < 256; ++state) {
    for (std::size_t nibble = 0; nibble < 16; ++nibble) {
      Step s;
      std::size_t node = state;
      for (int i = 3; i >= 0; --i) {
        const std::int16_t c = t.child[node][(nibble >> i) & 1];
        if (c >= 0) {
          node = static_cast<std::size_t>(c);
          continue;
        }
        const int sym = -(c + 1);
        if (sym == kEos) s.flags |= kFail;
        s.flags |= kEmit;
        s.symbol = static_cast<std::uint8_t>(sym);
        node = 0;
      }
      s.next = static_cast<std::uint8_t>(node);
      if (node == 0 || (t.all_ones[node] && t.depth[node] <= 7)) s.flags |= kAccept;
      table[state][nibble] = s;
    }
  }
  return table;
}

constexpr StepTable kSteps = make_steps();

}  // namespace

std::size_t huffman_encoded_size(std::string_view s) noexcept {
  std::size_t bits = 0;
  for (const char c : s) bits += kCode[static_cast<std::uint8_t>(c)].length;
  return (bits + 7) / 8;
}

void huffman_encode(std::string_view s, std::string& out) {
  std::uint64_t acc = 0;  // the low `pending` bits are not yet written
  int pending = 0;
  for (const char c : s) {
    const Code code = kCode[static_cast<std::uint8_t>(c)];
    acc = (acc << code.length) | code.bits;
    pending += code.length;
    while (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>(acc >> pending));
    }
  }
  if (pending > 0) {  // pad with EOS's leading ones (§5.2)
    out.push_back(static_cast<char>((acc << (8 - pending)) | (0xffu >> pending)));
  }
}

Expected<void, DecodeError> huffman_decode(std::string_view in, std::string& out) {
  std::uint8_t state = 0;
  std::uint8_t flags = kAccept;
  for (const char c : in) {
    const auto byte = static_cast<std::uint8_t>(c);
    for (const std::uint8_t nibble :
         {static_cast<std::uint8_t>(byte >> 4), static_cast<std::uint8_t>(byte & 0xf)}) {
      const Step& s = kSteps[state][nibble];
      if (s.flags & kFail) return Unexpected(DecodeError::bad_huffman);
      if (s.flags & kEmit) out.push_back(static_cast<char>(s.symbol));
      state = s.next;
      flags = s.flags;
    }
  }
  if ((flags & kAccept) == 0) return Unexpected(DecodeError::bad_huffman);
  return {};
}

}  // namespace endhost::http2::hpack
