// Page links for `fetch --page`, and proxy choice from -x and the environment (curl's rules).
#include <gtest/gtest.h>

#include <map>

#include "http/client/page_links.hpp"
#include "http/client/proxy_env.hpp"

using namespace endhost::http;

TEST(PageLinks, ImagesScriptsStylesheetsAndIcons) {
  const std::string html = R"(<!doctype html><html><head>
    <link rel="stylesheet" href="/style.css"><link rel=icon href=favicon.ico>
    <link rel="canonical" href="/not-an-object">
    <script src='app.js'></script>
    <!-- <img src="commented.png"> -->
    <script>var s = "<img src='in-script.png'>";</script>
    </head><body><IMG SRC="a.png" alt=x><img src="a.png"><img src="b.png?x=1&amp;y=2">
    <img src="data:image/png;base64,AAAA"><a href="/link.html">not fetched</a></body></html>)";
  EXPECT_EQ(page_links(html),
            (std::vector<std::string>{"/style.css", "favicon.ico", "app.js", "a.png", "b.png?x=1&y=2"}));
}

TEST(PageLinks, BoundedAndTolerantOfBrokenMarkup) {
  std::string many;
  for (int i = 0; i < 50; ++i) many += "<img src=\"" + std::to_string(i) + ".png\">";
  EXPECT_EQ(page_links(many, 10).size(), 10u);
  EXPECT_EQ(page_links("<img src=\"unterminated"), (std::vector<std::string>{"unterminated"}));
  EXPECT_TRUE(page_links("<<<>>> < img src=x> <").empty());
}

namespace {
Getenv env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
std::string chosen(std::string_view target, Getenv e, std::optional<std::string> x = std::nullopt) {
  auto p = choose_proxy(*parse_url(target), x, std::nullopt, e);
  if (!p) return "error";
  return *p ? (*p)->to_string() : "direct";
}
}  // namespace

TEST(ProxyEnv, ExplicitProxyWins) {
  EXPECT_EQ(chosen("http://a.test/", env({{"http_proxy", "http://env:1"}}), "p:3128"), "http://p:3128/");
  EXPECT_EQ(chosen("http://a.test/", env({{"http_proxy", "http://env:1"}}), ""), "direct");
}

TEST(ProxyEnv, SchemeVariablesAsCurlReadsThem) {
  EXPECT_EQ(chosen("http://a.test/", env({{"http_proxy", "env:8080"}})), "http://env:8080/");
  EXPECT_EQ(chosen("http://a.test/", env({{"HTTP_PROXY", "http://env:8080"}})), "direct");
  EXPECT_EQ(chosen("https://a.test/", env({{"HTTPS_PROXY", "http://s:1"}})), "http://s:1/");
  EXPECT_EQ(chosen("https://a.test/", env({{"http_proxy", "http://s:1"}})), "direct");
}

TEST(ProxyEnv, NoProxy) {
  auto e = env({{"http_proxy", "http://p:1"}, {"no_proxy", "localhost, .internal.test,10.0.0.1"}});
  EXPECT_EQ(chosen("http://localhost/", e), "direct");
  EXPECT_EQ(chosen("http://a.internal.test/", e), "direct");
  EXPECT_EQ(chosen("http://internal.test/", e), "direct");
  EXPECT_EQ(chosen("http://10.0.0.1/", e), "direct");
  EXPECT_EQ(chosen("http://notinternal.test/", e), "http://p:1/");
  EXPECT_TRUE(no_proxy_matches("*", "anything"));
  EXPECT_FALSE(no_proxy_matches("", "anything"));
}
