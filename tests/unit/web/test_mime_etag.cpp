#include <gtest/gtest.h>

#include "http/server/etag.hpp"
#include "http/server/mime.hpp"

namespace endhost::web {
namespace {

TEST(Mime, KnownTypesCarryCharsetForText) {
  EXPECT_EQ(mime_type_for("index.html").type, "text/html; charset=utf-8");
  EXPECT_TRUE(mime_type_for("index.html").compressible);
  EXPECT_EQ(mime_type_for("a/b/STYLE.CSS").type, "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("app.js").type, "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("x.json").type, "application/json");
  EXPECT_EQ(mime_type_for("p.PNG").type, "image/png");
  EXPECT_FALSE(mime_type_for("p.png").compressible);
  EXPECT_EQ(mime_type_for("a.tar.gz").type, "application/gzip");
  EXPECT_EQ(mime_type_for("font.woff2").type, "font/woff2");
}

TEST(Mime, UnknownIsOctetStream) {
  EXPECT_EQ(mime_type_for("README").type, "application/octet-stream");
  EXPECT_EQ(mime_type_for("a.unknownext").type, "application/octet-stream");
  EXPECT_EQ(mime_type_for("dir.d/file").type, "application/octet-stream");
  EXPECT_EQ(mime_type_for("trailingdot.").type, "application/octet-stream");
  EXPECT_EQ(mime_type_for("a." + std::string(40, 'x')).type, "application/octet-stream");
}

TEST(ETag, IsQuotedHexOfInodeMtimeSize) {
  ETag t(0x1f, 0x10, 1024);
  EXPECT_EQ(t.view(), "\"1f-10-400\"");
  ETag z(0, 0, 0);
  EXPECT_EQ(z.view(), "\"0-0-0\"");
  ETag big(UINT64_MAX, INT64_MAX, UINT64_MAX);
  EXPECT_EQ(big.view(), "\"ffffffffffffffff-7fffffffffffffff-ffffffffffffffff\"");
}

TEST(ETag, DerivedWeakTag) {
  ETag t(1, 2, 3);
  EXPECT_EQ(derived_weak_etag(t.view(), "-gzip").view(), "W/\"1-2-3-gzip\"");
}

TEST(ETag, ParseAndCompare) {
  EntityTag a, b, w;
  ASSERT_TRUE(parse_entity_tag("\"xyz\"", a));
  ASSERT_TRUE(parse_entity_tag("\"xyz\"", b));
  ASSERT_TRUE(parse_entity_tag("W/\"xyz\"", w));
  EXPECT_TRUE(w.weak);
  EXPECT_TRUE(strong_match(a, b));
  EXPECT_FALSE(strong_match(a, w));
  EXPECT_TRUE(weak_match(a, w));
  EntityTag bad;
  EXPECT_FALSE(parse_entity_tag("xyz", bad));
  EXPECT_FALSE(parse_entity_tag("\"a\"b\"", bad));
  EXPECT_FALSE(parse_entity_tag("\"", bad));
  EXPECT_FALSE(parse_entity_tag("w/\"a\"", bad));
  EXPECT_TRUE(parse_entity_tag("\"\"", bad));  // empty opaque-tag is valid
}

}  // namespace
}  // namespace endhost::web
