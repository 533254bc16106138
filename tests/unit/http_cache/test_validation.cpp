// RFC 9111 §4.3: validation — conditional requests, 304 handling and freshening, and answering a client's
// conditional request from the cache.
#include <gtest/gtest.h>

#include <vector>

#include "http/cache/validation.hpp"
#include "http/date.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
using namespace std::chrono_literals;

namespace {
const Time t0 = from_time_t(1'700'000'000);
std::string date(Time t) {
  return to_http_date(to_time_t(t));
}
}  // namespace

TEST(Validation, Rfc9110_8_8_3_2_EntityTagComparison) {
  EXPECT_TRUE(etag_strong_equal("\"1\"", "\"1\""));
  EXPECT_FALSE(etag_strong_equal("W/\"1\"", "W/\"1\""));
  EXPECT_FALSE(etag_strong_equal("W/\"1\"", "\"1\""));
  EXPECT_FALSE(etag_strong_equal("\"1\"", "\"2\""));
  EXPECT_TRUE(etag_weak_equal("W/\"1\"", "W/\"1\""));
  EXPECT_TRUE(etag_weak_equal("W/\"1\"", "\"1\""));
  EXPECT_FALSE(etag_weak_equal("W/\"1\"", "\"2\""));
  EXPECT_FALSE(etag_weak_equal("1", "1"));  // not an entity-tag
}

TEST(Validation, Rfc9111_4_3_1_ConditionalRequestUsesStoredValidators) {
  Fields stored{{"ETag", "\"v7\""}, {"Last-Modified", date(t0)}};
  Fields req{{"Host", "a"}, {"If-None-Match", "\"client\""}, {"If-Range", "\"x\""}};
  EXPECT_TRUE(add_validators(req, stored));
  EXPECT_EQ(req.get("if-none-match"), "\"v7\"");
  EXPECT_EQ(req.get("if-modified-since"), date(t0));
  EXPECT_EQ(req.count("if-none-match"), 1u);
  EXPECT_FALSE(req.contains("if-range"));
}

TEST(Validation, Rfc9111_4_3_1_NoValidatorsMeansUnconditional) {
  Fields stored{{"Content-Type", "text/plain"}};
  Fields req{{"Host", "a"}};
  EXPECT_FALSE(add_validators(req, stored));
  EXPECT_FALSE(req.contains("if-none-match"));
}

TEST(Validation, Rfc9111_4_3_4_NotModifiedSelectsByStrongValidator) {
  Fields stored{{"ETag", "\"v1\""}};
  std::vector<FieldView> same{{"ETag", "\"v1\""}}, other{{"ETag", "\"v2\""}}, none{};
  EXPECT_TRUE(not_modified_selects(stored, FieldsView(same)));
  EXPECT_FALSE(not_modified_selects(stored, FieldsView(other)));
  EXPECT_TRUE(not_modified_selects(stored, FieldsView(none)));
  Fields weak{{"ETag", "W/\"v1\""}};
  EXPECT_FALSE(not_modified_selects(weak, FieldsView(same)));  // strong in the 304, weak stored
  std::vector<FieldView> weak_nm{{"ETag", "W/\"v1\""}};
  EXPECT_TRUE(not_modified_selects(weak, FieldsView(weak_nm)));
}

TEST(Validation, Rfc9111_4_3_4_NotModifiedSelectsByLastModified) {
  Fields stored{{"Last-Modified", date(t0)}};
  std::string same_date = date(t0), other_date = date(t0 + 1s);
  std::vector<FieldView> same{{"Last-Modified", same_date}}, other{{"Last-Modified", other_date}};
  EXPECT_TRUE(not_modified_selects(stored, FieldsView(same)));
  EXPECT_FALSE(not_modified_selects(stored, FieldsView(other)));
}

TEST(Validation, Rfc9111_3_2_FreshenReplacesFieldsButNotContentLength) {
  Fields stored{{"Date", "old"},
                {"Cache-Control", "max-age=10"},
                {"Content-Length", "5"},
                {"Content-Type", "text/plain"},
                {"X-Keep", "1"}};
  std::vector<FieldView> nm{
      {"Date", "new"},   {"Cache-Control", "max-age=99"}, {"Content-Length", "0"}, {"Connection", "x-hop"},
      {"X-Hop", "gone"}, {"Keep-Alive", "timeout=5"},     {"X-New", "2"}};
  Fields out = freshen_fields(stored, FieldsView(nm));
  EXPECT_EQ(out.get("date"), "new");
  EXPECT_EQ(out.get("cache-control"), "max-age=99");
  EXPECT_EQ(out.get("content-length"), "5");
  EXPECT_EQ(out.get("content-type"), "text/plain");
  EXPECT_EQ(out.get("x-keep"), "1");
  EXPECT_EQ(out.get("x-new"), "2");
  EXPECT_FALSE(out.contains("x-hop"));
  EXPECT_FALSE(out.contains("connection"));
  EXPECT_FALSE(out.contains("keep-alive"));
  EXPECT_EQ(out.count("date"), 1u);
}

TEST(Validation, Rfc9111_3_2_FreshenUpdatesContentTypeButNotWhatDescribesTheStoredBytes) {
  Fields stored{{"Content-Type", "text/plain"},
                {"Content-MD5", "rL0Y20zC+Fzt72VPzMSk2A=="},
                {"Content-Encoding", "gzip"},
                {"Content-Range", "bytes 0-4/5"}};
  std::vector<FieldView> nm{{"Content-Type", "text/plain;charset=utf-8"},
                            {"Content-MD5", "N7UdGUp1E+RbVvZSTy1R8g=="},
                            {"Content-Encoding", "br"},
                            {"Content-Range", "bytes 0-9/10"}};
  Fields out = freshen_fields(stored, FieldsView(nm));
  EXPECT_EQ(out.get("content-type"), "text/plain;charset=utf-8");
  EXPECT_EQ(out.get("content-md5"), "rL0Y20zC+Fzt72VPzMSk2A==");
  EXPECT_EQ(out.get("content-encoding"), "gzip");
  EXPECT_EQ(out.get("content-range"), "bytes 0-4/5");
}

TEST(Validation, Rfc9111_4_3_2_ClientIfNoneMatch) {
  Fields stored{{"ETag", "\"v1\""}, {"Last-Modified", date(t0)}};
  std::vector<FieldView> match{{"If-None-Match", "\"v0\", W/\"v1\""}};
  std::vector<FieldView> star{{"If-None-Match", "*"}};
  std::string later = date(t0 + 10s);
  // If-None-Match that does not match wins over an If-Modified-Since that would.
  std::vector<FieldView> miss{{"If-None-Match", "\"v0\""}, {"If-Modified-Since", later}};
  EXPECT_TRUE(client_not_modified(FieldsView(match), stored, t0));
  EXPECT_TRUE(client_not_modified(FieldsView(star), stored, t0));
  EXPECT_FALSE(client_not_modified(FieldsView(miss), stored, t0));
}

TEST(Validation, Rfc9111_4_3_2_ClientIfModifiedSince) {
  Fields stored{{"Last-Modified", date(t0)}};
  std::string same = date(t0), before = date(t0 - 1s);
  std::vector<FieldView> a{{"If-Modified-Since", same}}, b{{"If-Modified-Since", before}},
      bad{{"If-Modified-Since", "yesterday"}};
  EXPECT_TRUE(client_not_modified(FieldsView(a), stored, t0));
  EXPECT_FALSE(client_not_modified(FieldsView(b), stored, t0));
  EXPECT_FALSE(client_not_modified(FieldsView(bad), stored, t0));
  // No Last-Modified: the stored Date is the validator.
  Fields dated{{"Date", date(t0)}};
  EXPECT_TRUE(client_not_modified(FieldsView(a), dated, t0));
}

TEST(Validation, Rfc9110_15_4_5_NotModifiedFieldsKeepMetadataOnly) {
  Fields stored{{"ETag", "\"1\""},        {"Cache-Control", "max-age=5"},
                {"Content-Length", "10"}, {"Content-Type", "x/y"},
                {"Vary", "Accept"},       {"Date", "d"}};
  Fields nm = not_modified_fields(stored);
  EXPECT_TRUE(nm.contains("etag"));
  EXPECT_TRUE(nm.contains("vary"));
  EXPECT_TRUE(nm.contains("date"));
  EXPECT_FALSE(nm.contains("content-length"));
  EXPECT_FALSE(nm.contains("content-type"));
}
