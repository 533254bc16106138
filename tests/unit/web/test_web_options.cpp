// `endhost web serve`'s SettingTable (web_settings) and its factory: each value checked on its own with the
// command line's names and ranges, then make_web_config's checks across options, the same from the command
// line and from a lab host's `web = { … }` table.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service_registry.hpp"
#include "core/settings.hpp"
#include "http/server/web_options.hpp"
#include "http/server/web_service.hpp"

namespace endhost::web {
namespace {

core::Settings of(std::initializer_list<std::pair<std::string, std::string>> items) {
  core::Settings s;
  for (const auto& [k, v] : items) s.add(k, v);
  return s;
}

std::string apply_error(std::initializer_list<std::pair<std::string, std::string>> items) {
  WebOptions o;
  auto ok = web_settings().apply(of(items), o);
  return ok ? std::string() : ok.error();
}

// A directory to serve, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "web-options-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(WebSettings, AppliesTheCommandLinesValues) {
  WebOptions o;
  auto ok = web_settings().apply(of({{"root", "/srv/www"},
                                     {"vhost", "a.test=/a"},
                                     {"vhost", "b.test=/b"},
                                     {"compress", "true"},
                                     {"no-listing", "true"},
                                     {"header-timeout", "2.5"},
                                     {"max-line", "4096"},
                                     {"max-upload", "1048576"},
                                     {"sessions", "true"},
                                     {"state", "/var/lib/web"},
                                     {"max-visitors", "100000"},
                                     {"access-log", "-"}}),
                                 o);
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(o.root, "/srv/www");
  EXPECT_EQ(o.vhosts, (std::vector<std::string>{"a.test=/a", "b.test=/b"}));
  EXPECT_TRUE(o.compress);
  EXPECT_TRUE(o.no_listing);
  EXPECT_FALSE(o.follow_symlinks);
  EXPECT_DOUBLE_EQ(o.header_timeout, 2.5);
  EXPECT_EQ(o.max_line, 4096u);
  EXPECT_EQ(o.max_upload, 1048576u);
  EXPECT_TRUE(o.sessions);
  EXPECT_EQ(o.state_dir, "/var/lib/web");
  EXPECT_EQ(o.max_visitors, 100000u);
  EXPECT_EQ(o.access_log, "-");
}

TEST(WebSettings, LimitRateTakesBytesPerSecondWithSuffixes) {
  for (const auto& [text, rate] : {std::pair<std::string, std::uint64_t>{"1M", 1u << 20},
                                   {"512k", 512u << 10},
                                   {"2G", std::uint64_t{2} << 30},
                                   {"65536", 65536},
                                   {"0", 0}}) {
    WebOptions o;
    auto ok = web_settings().apply(of({{"limit-rate", text}, {"tls-listen", "127.0.0.1:8443"}}), o);
    ASSERT_TRUE(ok) << text << ": " << ok.error();
    EXPECT_EQ(o.limit_rate, rate) << text;
    EXPECT_EQ(o.tls_listen, (std::vector<std::string>{"127.0.0.1:8443"}));
    TempDir dir;
    o.root = dir.path();
    auto c = make_web_config(o, 1);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->limit_rate, rate) << text;
  }
  EXPECT_EQ(apply_error({{"limit-rate", "fast"}}).rfind("--limit-rate: 'fast' is not a size", 0), 0u);
  EXPECT_EQ(apply_error({{"limit-rate", "1X"}}).rfind("--limit-rate: '1X' has an unknown unit", 0), 0u);
}

TEST(WebSettings, BadValuesNameTheOptionAndItsRange) {
  EXPECT_EQ(apply_error({{"max-line", "5"}}), "--max-line: '5' is outside 64 … 1048576");
  EXPECT_EQ(apply_error({{"max-fields", "10001"}}), "--max-fields: '10001' is outside 4 … 10000");
  EXPECT_EQ(apply_error({{"max-visitors", "0"}}).rfind("--max-visitors: '0' is outside 1 … ", 0), 0u);
  EXPECT_EQ(apply_error({{"header-timeout", "0"}}), "--header-timeout must be a positive number of seconds");
  EXPECT_EQ(apply_error({{"compress", "maybe"}}), "--compress: 'maybe' is not true or false");
}

TEST(WebSettings, UnknownOptionsAreRefusedWithTheKnownOnes) {
  // --admin is the shared admin listener of every TCP service now, not one of the web server's options.
  EXPECT_EQ(
      apply_error({{"admin", "127.0.0.1:9100"}}).rfind("unknown option 'admin' (known: root, vhost, ", 0),
      0u);
  EXPECT_EQ(apply_error({{"max_line", "4096"}}).rfind("unknown option 'max_line'", 0), 0u);
}

TEST(WebSettings, DescribesTheCommandLinesOptions) {
  const auto options = web_settings().options();
  ASSERT_EQ(options.size(), 31u);
  EXPECT_EQ(options[0].name, "root");
  EXPECT_EQ(options[0].alias, "-r");
  EXPECT_EQ(options[0].value_name, "DIR");
  EXPECT_EQ(options[1].name, "vhost");
  EXPECT_TRUE(options[1].repeatable);
  auto find = [&](const std::string& name) {
    for (const auto& o : options) {
      if (o.name == name) return o;
    }
    ADD_FAILURE() << name;
    return core::OptionInfo{};
  };
  EXPECT_TRUE(find("writable").value_name.empty());  // a flag
  EXPECT_TRUE(find("quiet").value_name.empty());     // no request log on the terminal
  EXPECT_EQ(find("header-timeout").default_text, "10");
  EXPECT_EQ(find("max-upload").default_text, "67108864");
  EXPECT_EQ(find("max-line").default_text, "8192");
  EXPECT_TRUE(find("no-http2").value_name.empty());  // a flag
  EXPECT_TRUE(find("push").repeatable);
  EXPECT_TRUE(find("add-header").repeatable);
  EXPECT_EQ(find("add-header").value_name, "PATH=FIELD");
  EXPECT_EQ(find("file-cache").default_text, "1024");
}

TEST(WebConfigCheck, AddHeader) {
  TempDir dir;
  WebOptions o;
  o.root = dir.path();
  o.add_header = {"/index.html=Link: </style.css>; rel=preload ", "/a.txt=X-Note:\tyes"};
  auto made = make_web_config(o, 1);
  ASSERT_TRUE(made);
  ASSERT_EQ(made->add_header.size(), 2u);
  EXPECT_EQ(made->add_header[0].path, "/index.html");
  EXPECT_EQ(made->add_header[0].name, "Link");
  EXPECT_EQ(made->add_header[0].value, "</style.css>; rel=preload");
  EXPECT_EQ(made->add_header[1].value, "yes");
  for (const char* bad :
       {"index.html=Link: <a>", "/index.html", "/index.html=Link", "=X: y", "/a=Bad Name: y", "/a=: y",
        "/a=X: a\rb", "/a=Content-Length: 5", "/a=transfer-encoding: chunked"}) {
    o.add_header = {bad};
    made = make_web_config(o, 1);
    ASSERT_FALSE(made) << bad;
    EXPECT_TRUE(made.error().usage) << bad;
    EXPECT_EQ(made.error().message.rfind("--add-header ", 0), 0u) << made.error().message;
  }
}

TEST(WebConfigCheck, FileCacheEntriesComeFromTheOption) {
  TempDir dir;
  WebOptions o;
  o.root = dir.path();
  auto made = make_web_config(o, 1);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->file_cache_entries, 1024u);
  ASSERT_TRUE(web_settings().apply(of({{"file-cache", "0"}}), o));
  made = make_web_config(o, 1);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->file_cache_entries, 0u);  // off
  EXPECT_EQ(apply_error({{"file-cache", "1000001"}}), "--file-cache: '1000001' is outside 0 … 1000000");
}

TEST(WebConfigCheck, PushAndHttp2) {
  TempDir dir;
  WebOptions o;
  o.root = dir.path();
  auto made = make_web_config(o, 1);
  ASSERT_TRUE(made);
  EXPECT_TRUE(made->http2);
  EXPECT_TRUE(made->push.empty());
  o.no_http2 = true;
  o.push = {"/index.html=/style.css,/logo.png", "/a.html=/b.css"};
  made = make_web_config(o, 1);
  ASSERT_TRUE(made);
  EXPECT_FALSE(made->http2);
  ASSERT_EQ(made->push.size(), 2u);
  EXPECT_EQ(made->push[0].first, "/index.html");
  EXPECT_EQ(made->push[0].second, (std::vector<std::string>{"/style.css", "/logo.png"}));
  for (const char* bad : {"index.html=/a.css", "/index.html", "/index.html=", "/index.html=a.css", "=/a.css",
                          "/index.html=/a.css,,/b.css"}) {
    o.push = {bad};
    made = make_web_config(o, 1);
    ASSERT_FALSE(made) << bad;
    EXPECT_TRUE(made.error().usage) << bad;
    EXPECT_EQ(made.error().message.rfind("--push ", 0), 0u) << made.error().message;
  }
}

TEST(WebConfigCheck, ChecksOptionsTogether) {
  TempDir dir;
  auto error = [&](void (*change)(WebOptions&)) {
    WebOptions o;
    change(o);
    auto made = make_web_config(o, 1);
    return made ? std::string() : made.error().message;
  };
  EXPECT_EQ(error([](WebOptions&) {}),
            "nothing to serve: give --root DIR, or --vhost NAME=DIR for each host name");
  WebOptions o;
  o.root = dir.path();
  o.max_line = 100000;
  auto made = make_web_config(o, 1);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message, "--max-line (100000) cannot exceed --max-header-bytes (32768)");
  EXPECT_TRUE(made.error().usage);

  o.max_line = 8192;
  o.writable = true;
  made = make_web_config(o, 1);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message.rfind("--writable needs --auth FILE", 0), 0u);

  o.writable = false;
  o.access_log = "/proc/no/such/access.log";
  made = make_web_config(o, 1);
  ASSERT_FALSE(made);
  EXPECT_FALSE(made.error().usage);  // a file that cannot be opened: exit 1, no --help hint
  EXPECT_NE(made.error().message.find("/proc/no/such/access.log"), std::string::npos);

  o.access_log = dir.path() + "/access.log";
  made = make_web_config(o, 2);
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_NE(made->access_log, nullptr);
  ASSERT_EQ(made->sites.size(), 1u);
  EXPECT_EQ(made->sites[0].path, dir.path());
}

TEST(WebService, RegistersAndBuildsFromSettings) {
  core::ServiceRegistry registry;
  register_service(registry);
  const core::ServiceDescriptor* d = registry.find("web");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->default_serve_port(), 8080);
  EXPECT_TRUE(d->transports.tcp);
  EXPECT_FALSE(d->transports.udp);
  EXPECT_EQ(d->option("admin"), nullptr);

  TempDir dir;
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  {
    core::EventLoops loops(1);
    core::Logger log(core::LogFormat::Text, core::LogLevel::Info, sink);
    core::MetricsRegistry metrics;
    core::ServiceEnv env(loops, log, metrics, core::Transcript());
    env.tcp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};

    auto bad = d->make(of({{"root", dir.path()}, {"max-line", "100000"}}), env);
    ASSERT_FALSE(bad);
    EXPECT_TRUE(bad.error().usage);
    EXPECT_EQ(bad.error().message, "--max-line (100000) cannot exceed --max-header-bytes (32768)");

    auto made = d->make(of({{"root", dir.path()}, {"access-log", dir.path() + "/a.log"}}), env);
    ASSERT_TRUE(made) << made.error().message;
    const auto counters = (*made)->counters();
    ASSERT_FALSE(counters.empty());
    EXPECT_EQ(counters.front().name, "requests");
    EXPECT_EQ((*made)->writable_paths(), (std::vector<std::string>{dir.path() + "/a.log"}));
  }
  std::fclose(sink);
}

}  // namespace
}  // namespace endhost::web
