// curl's -w/--write-out for `endhost fetch`: variables, escapes and what curl does with the odd cases.
#include <gtest/gtest.h>

#include "http/client/write_out.hpp"

using namespace endhost::http;

TEST(WriteOut, VariablesAsCurlPrintsThem) {
  WriteOutValues v;
  v.http_code = 404;
  v.time_total = 0.25;
  v.time_connect = 0.000125;
  v.time_starttransfer = 0.2;
  v.size_download = 1234;
  v.num_connects = 1;
  v.url_effective = "http://127.0.0.1:8080/x";
  EXPECT_EQ(render_write_out("%{http_code} %{time_total} %{time_connect} %{time_starttransfer}", v),
            "404 0.250000 0.000125 0.200000");
  EXPECT_EQ(render_write_out("%{size_download}/%{num_connects} %{url_effective}", v),
            "1234/1 http://127.0.0.1:8080/x");
}

TEST(WriteOut, NoResponseIsCode000) {
  EXPECT_EQ(render_write_out("%{http_code}", WriteOutValues{}), "000");
}

TEST(WriteOut, EscapesAndPercent) {
  WriteOutValues v;
  v.http_code = 200;
  EXPECT_EQ(render_write_out("code:%{http_code}\\n\\ttab\\\\ 100%% \\q", v), "code:200\n\ttab\\ 100% \\q");
}

TEST(WriteOut, UnknownVariablesPrintNothingAndAreNamed) {
  std::vector<std::string> unknown;
  EXPECT_EQ(render_write_out("a%{nope}b%{http_code}", WriteOutValues{}, &unknown), "ab000");
  EXPECT_EQ(unknown, (std::vector<std::string>{"nope"}));
  EXPECT_EQ(render_write_out("50% %{unterminated", WriteOutValues{}), "50% %{unterminated");
}
