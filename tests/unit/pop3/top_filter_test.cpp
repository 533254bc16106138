// TopFilter: TOP's cut (RFC 1939 §7) for CRLF, bare-LF and bare-CR files, at every split of the input.
#include <gtest/gtest.h>

#include "pop3/top_filter.hpp"

namespace endhost::pop3 {
namespace {

std::string cut(std::string_view message, std::uint64_t lines) {
  TopFilter f(lines);
  return std::string(message.substr(0, f.take(message)));
}

// The same cut when the message comes in two pieces split at every byte.
void expect_every_split(std::string_view message, std::uint64_t lines, std::string_view want) {
  for (std::size_t split = 0; split <= message.size(); ++split) {
    TopFilter f(lines);
    std::string got(message.substr(0, f.take(message.substr(0, split))));
    if (!f.done()) {
      const std::string_view rest = message.substr(split);
      got.append(rest.substr(0, f.take(rest)));
    }
    EXPECT_EQ(got, want) << "split at " << split << ", " << lines << " lines";
  }
}

TEST(Pop3TopFilter, CrlfMessage) {
  const std::string m = "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n";
  EXPECT_EQ(cut(m, 0), "A: 1\r\nB: 2\r\n\r");  // the CR of the blank line ends it; its LF is not needed
  EXPECT_EQ(cut(m, 1), "A: 1\r\nB: 2\r\n\r\none\r");
  EXPECT_EQ(cut(m, 2), "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r");
  EXPECT_EQ(cut(m, 3), "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r");
  EXPECT_EQ(cut(m, 4), m);
  for (std::uint64_t n = 0; n < 5; ++n) expect_every_split(m, n, cut(m, n));
}

TEST(Pop3TopFilter, BareLfAndBareCr) {
  const std::string lf = "A: 1\nB: 2\n\none\ntwo\n";
  EXPECT_EQ(cut(lf, 0), "A: 1\nB: 2\n\n");
  EXPECT_EQ(cut(lf, 1), "A: 1\nB: 2\n\none\n");
  EXPECT_EQ(cut(lf, 9), lf);
  const std::string cr = "A: 1\rB: 2\r\rone\rtwo\r";
  EXPECT_EQ(cut(cr, 1), "A: 1\rB: 2\r\rone\r");
  const std::string mixed = "A: 1\r\nB: 2\n\r\none\rtwo\nthree\r\n";
  EXPECT_EQ(cut(mixed, 2), "A: 1\r\nB: 2\n\r\none\rtwo\n");
  for (std::uint64_t n = 0; n < 4; ++n) {
    expect_every_split(lf, n, cut(lf, n));
    expect_every_split(cr, n, cut(cr, n));
    expect_every_split(mixed, n, cut(mixed, n));
  }
}

TEST(Pop3TopFilter, NoBodyNoHeaderAndUnterminatedLines) {
  EXPECT_EQ(cut("A: 1\r\nB: 2\r\n", 0), "A: 1\r\nB: 2\r\n");  // no blank line: the whole message
  EXPECT_EQ(cut("\r\nbody\r\nmore\r\n", 1), "\r\nbody\r");    // no header: the blank line comes first
  EXPECT_EQ(cut("A: 1\r\n\r\nlast", 5), "A: 1\r\n\r\nlast");  // a last line without its end
  TopFilter f(0);
  EXPECT_EQ(f.take("A: 1\r\n\r\nbody"), 7u);
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.take("more"), 0u);
}

}  // namespace
}  // namespace endhost::pop3
