#include "core/log.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

constexpr std::int64_t kTime = 1'732'160'000'123'456;  // 2024-11-21T03:33:20.123456Z

TEST(Log, JsonLineHasTimeLevelMessageAndTypedFields) {
  auto line = Logger::format_line(LogFormat::Json, kTime, LogLevel::Info, "listening",
                                  {{"service", "echo"}, {"port", 12000}, {"tls", false}, {"loss", 0.5}});
  EXPECT_EQ(
      line,
      "{\"ts\":\"2024-11-21T03:33:20.123456Z\",\"level\":\"info\",\"msg\":\"listening\",\"service\":\"echo\","
      "\"port\":12000,\"tls\":false,\"loss\":0.5}\n");
}

TEST(Log, JsonEscapesControlCharactersAndQuotes) {
  auto line = Logger::format_line(LogFormat::Json, kTime, LogLevel::Warn, "a\"b\\c\n", {{"k", "\x01"}});
  EXPECT_NE(line.find(R"("msg":"a\"b\\c\n")"), std::string::npos);
  EXPECT_NE(line.find(R"("k":"\u0001")"), std::string::npos);
}

TEST(Log, TextLineQuotesValuesWithSpaces) {
  auto line = Logger::format_line(LogFormat::Text, kTime, LogLevel::Error, "bind failed",
                                  {{"error", "in use"}, {"n", 3}});
  EXPECT_EQ(line, "2024-11-21T03:33:20.123456Z ERROR bind failed error=\"in use\" n=3\n");
}

TEST(Log, LevelsBelowTheMinimumAreDropped) {
  Logger log(LogFormat::Text, LogLevel::Warn, stderr);
  EXPECT_FALSE(log.enabled(LogLevel::Info));
  EXPECT_TRUE(log.enabled(LogLevel::Error));
}

}  // namespace
}  // namespace endhost::core
