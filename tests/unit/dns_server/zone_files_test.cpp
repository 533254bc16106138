// Loading primary zones (origin from the SOA or given), and the secondary's durable copies.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dns/server/zone_catalog.hpp"
#include "dns/server/zone_files.hpp"
#include "test_util.hpp"

namespace endhost::dns::server {
namespace {

using test::N;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/endhost-dns-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

const char* kZone =
    "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 5 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n"
    "www A 192.0.2.2\n";

TEST(ZoneSpec, ParsesFileAndOriginForms) {
  auto plain = parse_primary_zone_spec("zones/example.com.zone");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->file, "zones/example.com.zone");
  EXPECT_FALSE(plain->origin);
  auto named = parse_primary_zone_spec("example.com=zones/a=b.zone");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->file, "zones/a=b.zone");
  EXPECT_EQ(*named->origin, N("example.com."));
  // '=' after a slash belongs to the path.
  auto path_eq = parse_primary_zone_spec("./dir/x=y.zone");
  ASSERT_TRUE(path_eq);
  EXPECT_EQ(path_eq->file, "./dir/x=y.zone");
  EXPECT_FALSE(parse_primary_zone_spec("example.com="));
  EXPECT_FALSE(parse_primary_zone_spec("=file"));
}

TEST(ZoneFiles, OriginComesFromTheSoaOwner) {
  TempDir dir;
  auto zone = load_primary_zone({dir.write("z", kZone), std::nullopt}, {});
  ASSERT_TRUE(zone) << zone.error();
  EXPECT_EQ(zone->origin(), N("example.com."));
  EXPECT_EQ(zone->soa().serial, 5u);
}

TEST(ZoneFiles, ExampleZonesLoadWithoutNamingTheirOrigin) {
  for (const char* f : {"root.zone", "com.zone", "networkutopia.com.zone"}) {
    auto zone = load_primary_zone({std::string(ENDHOST_EXAMPLE_ZONES) + "/" + f, std::nullopt}, {});
    EXPECT_TRUE(zone) << (zone ? "" : zone.error());
  }
}

TEST(ZoneFiles, ErrorsNameTheFileAndLine) {
  TempDir dir;
  auto path =
      dir.write("bad", "$ORIGIN example.com.\n@ 300 SOA ns1 hostmaster 1 2 3 4 5\nwww 300 A 999.1.1.1\n");
  auto zone = load_primary_zone({path, std::nullopt}, {});
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find(path + ":3"), std::string::npos) << zone.error();
  auto missing = load_primary_zone({dir.path() + "/nope", std::nullopt}, {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("nope"), std::string::npos);
  auto no_soa =
      load_primary_zone({dir.write("nosoa", "$ORIGIN example.com.\nwww 300 A 1.2.3.4\n"), std::nullopt}, {});
  ASSERT_FALSE(no_soa);
  EXPECT_NE(no_soa.error().find("SOA"), std::string::npos);
}

TEST(ZoneFiles, SavedPathsStayInsideTheStateDirectory) {
  EXPECT_EQ(saved_zone_path("/var/lib/x", N("example.com.")), "/var/lib/x/example.com.zone");
  EXPECT_EQ(saved_zone_path("/var/lib/x/", Name()), "/var/lib/x/root.zone");
  auto weird = Name::from_string("\\.\\.\\/\\.\\.\\/etc.example.");  // one label: "../../etc"
  ASSERT_TRUE(weird);
  auto p = saved_zone_path("/s", *weird);
  EXPECT_EQ(p.find('/', 3), std::string::npos) << p;  // no '/' after the directory's own
  EXPECT_EQ(p.rfind("/s/", 0), 0u);
  EXPECT_EQ(p.find("/.."), std::string::npos) << p;
}

TEST(ZoneFiles, SaveThenLoadRoundTrips) {
  TempDir dir;
  auto records =
      test::records_from_text(std::string(kZone) +
                                  "txt TXT \"v=spf1 -all\" \"second \\\"quoted\\\" string\"\nmx MX 10 "
                                  "mail\n_sip._tcp SRV 1 2 5060 sip\n"
                                  "v6 AAAA 2001:db8::1\nalias CNAME www\nother TYPE65280 \\# 3 010203\n",
                              "example.com.");
  auto path = saved_zone_path(dir.path(), N("example.com."));
  ASSERT_TRUE(save_zone(path, N("example.com."), records));
  auto loaded = load_saved_zone(path, N("example.com."), {});
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(*loaded);
  auto original = build_zone(N("example.com."), records);
  ASSERT_TRUE(original);
  auto a = original->records(), b = (**loaded).records();
  EXPECT_EQ(a, b);
  // No temp file is left behind.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);
}

TEST(ZoneFiles, MissingSavedCopyIsNotAnError) {
  TempDir dir;
  auto loaded = load_saved_zone(dir.path() + "/example.com.zone", N("example.com."), {});
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(*loaded);
}

TEST(ZoneFiles, SaveFailsWithAReasonWhenTheDirectoryIsMissing) {
  auto r = save_zone("/nonexistent-endhost-dir/x.zone", N("example.com."), {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("/nonexistent-endhost-dir"), std::string::npos);
}

TEST(ZoneCatalog, ReloadKeepsTheOldZoneWhenAFileBreaks) {
  TempDir dir;
  auto path = dir.write("z", kZone);
  ZoneCatalogConfig config;
  config.primaries.push_back({path, std::nullopt});
  ZoneCatalog catalog(config);
  ASSERT_TRUE(catalog.load_initial());
  auto before = catalog.current();
  dir.write("z", "$ORIGIN example.com.\n@ 300 SOA ns1 hostmaster 6 2 3 4 5\nbroken line here\n");
  auto report = catalog.reload();
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_TRUE(report.grown.empty());
  const Zone* z = catalog.current()->find_exact(N("example.com."));
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->soa().serial, 5u);
  // The previous set is untouched: loops still holding it keep answering from it.
  EXPECT_EQ(before->find_exact(N("example.com."))->soa().serial, 5u);
}

TEST(ZoneCatalog, ReloadReportsGrownSerialsOnly) {
  TempDir dir;
  auto path = dir.write("z", kZone);
  ZoneCatalogConfig config;
  config.primaries.push_back({path, std::nullopt});
  ZoneCatalog catalog(config);
  ASSERT_TRUE(catalog.load_initial());
  EXPECT_TRUE(catalog.reload().grown.empty());  // same serial
  std::string next = kZone;
  next.replace(next.find(" 5 "), 3, " 6 ");
  dir.write("z", next + "new A 192.0.2.9\n");
  auto report = catalog.reload();
  ASSERT_EQ(report.grown.size(), 1u);
  EXPECT_EQ(report.grown[0], N("example.com."));
  EXPECT_NE(catalog.current()->find_exact(N("example.com."))->find(N("new.example.com.")), nullptr);
}

TEST(ZoneCatalog, InstallReplacesASecondaryAndKeepsTheRest) {
  TempDir dir;
  ZoneCatalogConfig config;
  config.primaries.push_back({dir.write("z", kZone), std::nullopt});
  config.secondaries.push_back(N("example.org."));
  config.state_dir = dir.path();
  ZoneCatalog catalog(config);
  ASSERT_TRUE(catalog.load_initial());
  EXPECT_EQ(catalog.current()->find_exact(N("example.org.")), nullptr);
  auto org = build_zone(N("example.org."),
                        test::records_from_text(
                            "$ORIGIN example.org.\n@ 60 SOA ns hm 3 1 1 1 1\n@ 60 NS ns\n", "example.org."));
  ASSERT_TRUE(org);
  catalog.install(std::move(*org));
  EXPECT_NE(catalog.current()->find_exact(N("example.org.")), nullptr);
  EXPECT_NE(catalog.current()->find_exact(N("example.com.")), nullptr);
  catalog.remove(N("example.org."));
  EXPECT_EQ(catalog.current()->find_exact(N("example.org.")), nullptr);
  EXPECT_NE(catalog.current()->find_exact(N("example.com.")), nullptr);
}

}  // namespace
}  // namespace endhost::dns::server
