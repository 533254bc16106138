// core::Settings and core::SettingTable: what every service's options go through, from the command line and
// from the lab's TOML alike.
#include "core/settings.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

struct Options {
  bool compress = false;
  std::string root;
  std::vector<std::string> vhosts;
  std::string format = "text";
  std::size_t max_line = 8192;
  std::uint64_t cache_size = 64ull << 20;
  double timeout = 2.5;
  double loss = 0;
};

SettingTable<Options> table() {
  SettingTable<Options> t;
  t.flag("compress", &Options::compress, "Gzip");
  t.text("root", &Options::root, "DIR", "Directory").alias("-r");
  t.texts("vhost", &Options::vhosts, "NAME=DIR", "Virtual host");
  t.choice("format", &Options::format, {"text", "json"}, "Format");
  t.integer("max-line", &Options::max_line, std::size_t{64}, std::size_t{1} << 20, "Longest line", "BYTES");
  t.size("cache-size", &Options::cache_size, std::uint64_t{1} << 20, std::uint64_t{1} << 40, "Cache");
  t.seconds("timeout", &Options::timeout, "Timeout");
  t.number("loss", &Options::loss, 0, 1, "Loss");
  return t;
}

Settings of(std::initializer_list<std::pair<std::string, std::string>> items) {
  Settings s;
  for (const auto& [k, v] : items) s.add(k, v);
  return s;
}

TEST(SettingsTest, LastValueWinsAndAllKeepsOrder) {
  Settings s = of({{"a", "1"}, {"b", "x"}, {"a", "2"}});
  ASSERT_NE(s.get("a"), nullptr);
  EXPECT_EQ(*s.get("a"), "2");
  EXPECT_EQ(s.all("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(s.get("c"), nullptr);
  s.set("a", "3");
  EXPECT_EQ(s.all("a"), (std::vector<std::string>{"3"}));
  s.erase("b");
  EXPECT_FALSE(s.has("b"));
}

TEST(SettingTableTest, AppliesEveryKindOfValue) {
  Options o;
  auto ok = table().apply(of({{"compress", "true"},
                              {"root", "/srv"},
                              {"vhost", "a=/a"},
                              {"vhost", "b=/b"},
                              {"format", "json"},
                              {"max-line", "4096"},
                              {"cache-size", "512M"},
                              {"timeout", "0.5"},
                              {"loss", "0.3"}}),
                          o);
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_TRUE(o.compress);
  EXPECT_EQ(o.root, "/srv");
  EXPECT_EQ(o.vhosts, (std::vector<std::string>{"a=/a", "b=/b"}));
  EXPECT_EQ(o.format, "json");
  EXPECT_EQ(o.max_line, 4096u);
  EXPECT_EQ(o.cache_size, 512ull << 20);
  EXPECT_DOUBLE_EQ(o.timeout, 0.5);
  EXPECT_DOUBLE_EQ(o.loss, 0.3);
}

TEST(SettingTableTest, BadValuesNameTheOption) {
  auto error = [](std::string name, std::string value) {
    Options o;
    auto ok = table().apply(of({{name, value}}), o);
    return ok ? std::string() : ok.error();
  };
  EXPECT_EQ(error("max-line", "5"), "--max-line: '5' is outside 64 … 1048576");
  EXPECT_EQ(error("max-line", "12x"), "--max-line: '12x' is not a whole number");
  EXPECT_EQ(error("max-line", "99999999999999999999999"),
            "--max-line: '99999999999999999999999' is outside 64 … 1048576");
  EXPECT_EQ(error("cache-size", "2X"), "--cache-size: '2X' has an unknown unit (use K, M, G or T)");
  EXPECT_EQ(error("cache-size", "1K"), "--cache-size: '1K' is outside 1M … 1T");
  EXPECT_EQ(error("timeout", "0"), "--timeout must be a positive number of seconds");
  EXPECT_EQ(error("timeout", "soon"), "--timeout: 'soon' is not a number");
  EXPECT_EQ(error("loss", "1.5"), "--loss: '1.5' is outside 0 … 1");
  EXPECT_EQ(error("format", "xml"), "--format: 'xml' is not one of text, json");
  EXPECT_EQ(error("compress", "maybe"), "--compress: 'maybe' is not true or false");
  EXPECT_EQ(error("colour", "red").rfind("unknown option 'colour' (known: compress, root, vhost", 0), 0u);
}

TEST(SettingTableTest, DescribesItsOptionsWithDefaults) {
  const auto options = table().options();
  ASSERT_EQ(options.size(), 8u);
  EXPECT_EQ(options[0].name, "compress");
  EXPECT_TRUE(options[0].value_name.empty());  // a flag
  EXPECT_EQ(options[1].alias, "-r");
  EXPECT_TRUE(options[2].repeatable);
  EXPECT_EQ(options[3].default_text, "text");
  EXPECT_EQ(options[3].value_name, "text|json");
  EXPECT_EQ(options[4].default_text, "8192");
  EXPECT_EQ(options[5].default_text, "64M");
  EXPECT_EQ(options[6].default_text, "2.5");
  EXPECT_TRUE(table().knows("vhost"));
  EXPECT_FALSE(table().knows("vhosts"));
}

TEST(SettingTableTest, FormatsSizesAsWritten) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(1024), "1K");
  EXPECT_EQ(format_size(3ull << 30), "3G");
  EXPECT_EQ(format_size((1ull << 20) + 1024), "1025K");
}

}  // namespace
}  // namespace endhost::core
