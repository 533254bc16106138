// The lab's configuration: the embedded default parses and validates, strict TOML reading names the file,
// line and key of a mistake, and validate() refuses what the lab could not run.
#include <gtest/gtest.h>

#include "lab/config.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

HostService service(std::string name, std::initializer_list<std::pair<std::string, std::string>> keys = {}) {
  HostService s;
  s.name = std::move(name);
  for (const auto& [k, v] : keys) s.settings.add(k, v);
  return s;
}

TEST(LabConfig, EmbeddedDefaultHasTheTextbookHosts) {
  auto c = parse_config(default_config_toml(), "default", services());
  ASSERT_TRUE(c) << c.error();
  for (const char* name :
       {"a.root-servers.net", "a.gtld-servers.net", "a.edu-servers.net", "d.nic.fr", "dns.someschool.edu",
        "dns.cs.umass.edu", "dns1.networkutopia.com", "dns2.networkutopia.com", "dns.exotiquecuisine.com",
        "dns.hamburger.edu", "dns.crepes.fr", "www.someschool.edu", "gaia.cs.umass.edu",
        "www.exotiquecuisine.com", "cache.someschool.edu"}) {
    EXPECT_NE(c->find_host(name), nullptr) << name;
  }
  EXPECT_TRUE(c->find_host("dns.nyu.edu")->find("resolver"));
  EXPECT_TRUE(c->find_host("cache.someschool.edu")->find("proxy"));
  EXPECT_EQ(*c->find_host("ping.lab")->find("ping")->settings.get("loss"), "0.3");
  EXPECT_EQ(c->find_host("a.edu-servers.net")->zones(), std::vector<std::string>{"edu"});
  EXPECT_EQ(c->find_host("www.someschool.edu")->site(), "someschool");
  const SiteConfig* site = c->find_site("exotiquecuisine");
  ASSERT_NE(site, nullptr);
  bool kiwi = false;
  for (const auto& f : site->files) {
    if (f.path == "/fruit/kiwi.gif") {
      kiwi = true;
      ASSERT_TRUE(f.last_modified);
      EXPECT_EQ(*f.last_modified, 1441790604);  // Wed, 09 Sep 2015 09:23:24 GMT
    }
  }
  EXPECT_TRUE(kiwi);
  const SiteConfig* school = c->find_site("someschool");
  bool page = false;
  for (const auto& f : school->files) page = page || (f.objects && *f.objects == 10);
  EXPECT_TRUE(page);
}

TEST(LabConfig, UnknownKeyIsAnErrorWithItsLine) {
  auto c = parse_config("[lab]\nnet = \"127.9\"\n\n[[host]]\nname = \"a.test\"\nadress = \"127.9.0.1\"\n",
                        "x.toml", services());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("x.toml:6"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("adress"), std::string::npos) << c.error();
}

TEST(LabConfig, TomlSyntaxErrorNamesFileLineAndColumn) {
  auto c = parse_config("[lab\n", "broken.toml", services());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().rfind("broken.toml:1:", 0), 0u) << c.error();
}

TEST(LabConfig, WrongTypeIsAnError) {
  auto c = parse_config("[lab]\nport_base = \"ten\"\n[[host]]\nname = \"a.test\"\n", "t.toml", services());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("lab.port_base must be an integer"), std::string::npos) << c.error();
}

TEST(LabConfig, AddingAHostAndAZoneTakesAFewLines) {
  std::string text = std::string(default_config_toml()) +
                     "\n[[host]]\nname = \"dns.example.com\"\ndns.zones = [\"example.com\"]\n"
                     "\n[[host]]\nname = \"www.example.com\"\nweb.site = \"gaia\"\n"
                     "\n[[zone]]\nname = \"example.com\"\nrecords = [\"@ MX 10 www\"]\n";
  auto c = parse_config(text, "more.toml", services());
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->zones.back().origin, "example.com");
}

TEST(LabConfig, ABadValueOrAMisplacedArrayNamesTheKey) {
  auto flag =
      parse_config("[[host]]\nname = \"e.test\"\necho = { tcp = \"yes please\" }\n", "e.toml", services());
  ASSERT_FALSE(flag);
  EXPECT_NE(flag.error().find("e.toml:3: host e.test.echo.tcp must be true or false"), std::string::npos)
      << flag.error();
  auto array =
      parse_config("[[host]]\nname = \"e.test\"\necho = { max_line = [1, 2] }\n", "e.toml", services());
  ASSERT_FALSE(array);
  EXPECT_NE(array.error().find("takes one value, not an array"), std::string::npos) << array.error();
  auto unknown = parse_config("[[host]]\nname = \"e.test\"\nsmtp = {}\n", "e.toml", services());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("host e.test: unknown key 'smtp' (known: name, address, "),
            std::string::npos)
      << unknown.error();
}

TEST(LabConfig, WhatTheLabSetsItselfIsRefusedInATable) {
  auto root =
      parse_config(std::string(default_config_toml()) +
                       "\n[[host]]\nname = \"www.example.com\"\nweb = { site = \"gaia\", root = \"/etc\" }\n",
                   "web.toml", services());
  ASSERT_FALSE(root);
  EXPECT_NE(root.error().find("host www.example.com.web.root is set by the lab"), std::string::npos)
      << root.error();
  auto via = parse_config(std::string(default_config_toml()) +
                              "\n[[host]]\nname = \"c.example.com\"\nproxy = { via = \"mine\" }\n",
                          "proxy.toml", services());
  ASSERT_FALSE(via);
  EXPECT_NE(via.error().find("proxy.via is set by the lab"), std::string::npos) << via.error();
}

TEST(LabConfig, ACacheWithoutWebHostsIsRefused) {
  // It would have no origins, so it would forward anywhere: the lab's cache is no open relay.
  auto c = parse_config(
      "[[host]]\nname = \"a.root-servers.net\"\ndns.zones = [\".\"]\n"
      "[[host]]\nname = \"cache.test\"\nproxy = {}\n",
      "cache.toml", services());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("host cache.test: proxy: no web host to cache for"), std::string::npos)
      << c.error();
}

TEST(LabConfig, ABadOptionValueIsRefusedWhenTheFileIsRead) {
  auto c =
      parse_config(std::string(default_config_toml()) +
                       "\n[[host]]\nname = \"www.example.com\"\nweb = { site = \"gaia\", max_line = 5 }\n",
                   "web.toml", services());
  ASSERT_FALSE(c);
  // The file and line of the table, the lab's spelling of the key, the service's own range.
  EXPECT_NE(c.error().find("web.toml:"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("host www.example.com.web: max_line: '5' is outside 64 … 1048576"),
            std::string::npos)
      << c.error();
  auto loss = parse_config("[[host]]\nname = \"p.test\"\nping = { loss = 2 }\n", "p.toml", services());
  ASSERT_FALSE(loss);
  EXPECT_NE(loss.error().find("ping: loss: '2' is outside 0 … 1"), std::string::npos) << loss.error();
}

TEST(LabConfig, AWebTableTakesTheWebServersOptionsByName) {
  std::string text = std::string(default_config_toml()) +
                     "\n[[host]]\nname = \"www.example.com\"\n"
                     "web = { site = \"gaia\", max_line = 4096, compress = true, header_timeout = 2.5 }\n";
  auto c = parse_config(text, "web.toml", services());
  ASSERT_TRUE(c) << c.error();
  const auto& options = c->find_host("www.example.com")->find("web")->settings.items();
  // In the table's order (toml++ keeps keys sorted), as the command line's names.
  ASSERT_EQ(options.size(), 4u);
  EXPECT_EQ(options[0], (std::pair<std::string, std::string>{"compress", "true"}));
  EXPECT_EQ(options[1], (std::pair<std::string, std::string>{"header-timeout", "2.5"}));
  EXPECT_EQ(options[2], (std::pair<std::string, std::string>{"max-line", "4096"}));
  EXPECT_EQ(options[3], (std::pair<std::string, std::string>{"site", "gaia"}));

  auto bad =
      parse_config(std::string(default_config_toml()) +
                       "\n[[host]]\nname = \"www.example.com\"\nweb = { site = \"gaia\", max_lines = 1 }\n",
                   "web.toml", services());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("www.example.com.web: unknown key 'max_lines' (known: port, site, "),
            std::string::npos)
      << bad.error();
}

LabConfig minimal() {
  LabConfig c;
  HostConfig root;
  root.name = "a.root-servers.net";
  root.services.push_back(service("dns", {{"zones", "."}}));
  c.hosts.push_back(root);
  return c;
}

TEST(LabValidate, RefusesDuplicatesBadNamesAndDanglingReferences) {
  LabConfig c = minimal();
  EXPECT_TRUE(validate(c));

  LabConfig dup = minimal();
  dup.hosts.push_back(dup.hosts.front());
  EXPECT_FALSE(validate(dup));

  LabConfig bad = minimal();
  bad.hosts.front().name = "Not_A..name";
  EXPECT_FALSE(validate(bad));

  LabConfig web = minimal();
  HostConfig w;
  w.name = "www.test";
  w.services.push_back(service("web", {{"site", "nosuchsite"}}));
  web.hosts.push_back(w);
  auto r = validate(web);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("[site.nosuchsite]"), std::string::npos) << r.error();

  LabConfig zone = minimal();
  zone.zones.push_back({"example.com", {"@ A 127.0.0.5"}});
  EXPECT_FALSE(validate(zone));  // nobody serves example.com

  LabConfig resolver = minimal();
  resolver.hosts.front().services.clear();
  HostConfig r1;
  r1.name = "resolver.test";
  r1.services.push_back(service("resolver"));
  resolver.hosts.push_back(r1);
  EXPECT_FALSE(validate(resolver));  // a resolver needs a root

  LabConfig addr = minimal();
  addr.hosts.front().address = "10.0.0.1";  // not loopback
  EXPECT_FALSE(validate(addr));

  LabConfig twice = minimal();
  twice.hosts.front().services.push_back(service("dns", {{"zones", "com"}}));
  auto t = validate(twice);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("dns is listed twice"), std::string::npos) << t.error();

  LabConfig no_zones = minimal();
  no_zones.hosts.front().services.front().settings.erase("zones");
  auto z = validate(no_zones);
  ASSERT_FALSE(z);
  EXPECT_NE(z.error().find("host a.root-servers.net: dns: no zones"), std::string::npos) << z.error();

  LabConfig net = minimal();
  net.lab.net = "10.20";
  EXPECT_FALSE(validate(net));
}

TEST(LabValidate, SitePathsCannotEscapeOrCollide) {
  for (const char* path : {"/../etc/passwd", "relative.html", "/a//b", "/a/./b", "/dir/", "/a b"}) {
    LabConfig c = minimal();
    SiteConfig s;
    s.name = "s";
    SiteFile f;
    f.path = path;
    f.text = "x";
    s.files.push_back(f);
    c.sites.push_back(s);
    EXPECT_FALSE(validate(c)) << path;
  }
  LabConfig c = minimal();
  SiteConfig s;
  s.name = "s";
  SiteFile page;
  page.path = "/p/index.html";
  page.objects = 3;
  SiteFile clash;
  clash.path = "/p/obj2.gif";
  clash.text = "x";
  s.files = {page, clash};
  c.sites.push_back(s);
  EXPECT_FALSE(validate(c));
}

TEST(LabValidate, GeneratedSizesAreBounded) {
  LabConfig c = minimal();
  SiteConfig s;
  s.name = "s";
  SiteFile f;
  f.path = "/huge.gif";
  f.gif = std::make_pair(65535u, 65535u);
  s.files.push_back(f);
  c.sites.push_back(s);
  EXPECT_FALSE(validate(c));
}

TEST(LabNames, NormalizeAndZoneMembership) {
  EXPECT_EQ(normalize_name("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(normalize_name("."), ".");
  EXPECT_TRUE(in_zone("gaia.cs.umass.edu", "umass.edu"));
  EXPECT_TRUE(in_zone("umass.edu", "umass.edu"));
  EXPECT_FALSE(in_zone("notumass.edu", "umass.edu"));
  EXPECT_TRUE(in_zone("anything", "."));
}

}  // namespace
}  // namespace endhost::lab
