// RFC 9111 §3: what a shared cache may store.
#include <gtest/gtest.h>

// Designated initializers name only the members a case sets; the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "http/cache/storability.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

namespace {

struct Case {
  Method method = Method::get;
  std::string request_cc;
  bool authorization = false;
  Status status = Status::ok;
  bool storable_partial = false;
  std::string response_cc;
  bool expires = false;
  bool vary_star = false;

  StoreVerdict verdict() const {
    CacheControl req, res;
    add_cache_control(req, request_cc);
    add_cache_control(res, response_cc);
    return can_store({method, &req, authorization, status, storable_partial, &res, expires, vary_star});
  }
};

}  // namespace

TEST(Storability, Rfc9111_3_PlainOkIsStorable) {
  EXPECT_EQ(Case{}.verdict(), StoreVerdict::store);
}

TEST(Storability, Rfc9111_3_OnlyGetIsStored) {
  EXPECT_EQ((Case{.method = Method::post, .response_cc = "max-age=60"}).verdict(), StoreVerdict::method);
  EXPECT_EQ((Case{.method = Method::head}).verdict(), StoreVerdict::method);
}

TEST(Storability, Rfc9111_3_FinalStatusOnlyAndNotPartialOrNotModified) {
  EXPECT_EQ((Case{.status = Status::continue_}).verdict(), StoreVerdict::status);
  EXPECT_EQ((Case{.status = Status::partial_content}).verdict(), StoreVerdict::status);
  EXPECT_EQ((Case{.status = Status::not_modified}).verdict(), StoreVerdict::status);
}

TEST(Storability, Rfc9111_3_3_OneRangeOfAKnownLengthIsStoredAsIncomplete) {
  EXPECT_EQ((Case{.status = Status::partial_content, .storable_partial = true, .response_cc = "max-age=60"})
                .verdict(),
            StoreVerdict::store);
  // The other rules still apply to it.
  EXPECT_EQ((Case{.status = Status::partial_content, .storable_partial = true, .response_cc = "no-store"})
                .verdict(),
            StoreVerdict::no_store);
}

TEST(Storability, Rfc9111_5_2_2_5_ResponseNoStore) {
  EXPECT_EQ((Case{.response_cc = "no-store, max-age=60"}).verdict(), StoreVerdict::no_store);
}

TEST(Storability, Rfc9111_5_2_1_5_RequestNoStore) {
  EXPECT_EQ((Case{.request_cc = "no-store"}).verdict(), StoreVerdict::request_no_store);
}

TEST(Storability, Rfc9111_5_2_2_7_PrivateIsNotStoredByASharedCache) {
  EXPECT_EQ((Case{.response_cc = "private, max-age=60"}).verdict(), StoreVerdict::private_);
  // Qualified private: the rest of the response may be stored.
  EXPECT_EQ((Case{.response_cc = "private=\"x-user\", max-age=60"}).verdict(), StoreVerdict::store);
}

TEST(Storability, Rfc9111_3_5_AuthorizationNeedsExplicitPermission) {
  EXPECT_EQ((Case{.authorization = true, .response_cc = "max-age=60"}).verdict(),
            StoreVerdict::authorization);
  EXPECT_EQ((Case{.authorization = true, .response_cc = "public"}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.authorization = true, .response_cc = "s-maxage=60"}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.authorization = true, .response_cc = "must-revalidate, max-age=5"}).verdict(),
            StoreVerdict::store);
}

TEST(Storability, Rfc9111_3_NeedsFreshnessInformationOrAHeuristicStatus) {
  EXPECT_EQ((Case{.status = Status::found}).verdict(), StoreVerdict::not_cacheable);
  EXPECT_EQ((Case{.status = Status::found, .response_cc = "max-age=60"}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.status = Status::found, .expires = true}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.status = Status::found, .response_cc = "public"}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.status = Status::not_found}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.status = Status::internal_server_error}).verdict(), StoreVerdict::not_cacheable);
}

TEST(Storability, Rfc9111_5_2_2_4_NoCacheDoesNotPreventStorage) {
  EXPECT_EQ((Case{.response_cc = "no-cache"}).verdict(), StoreVerdict::store);
}

TEST(Storability, Rfc9111_5_2_2_3_MustUnderstandOverridesNoStoreForKnownCodes) {
  EXPECT_EQ((Case{.response_cc = "must-understand, no-store, max-age=60"}).verdict(), StoreVerdict::store);
  EXPECT_EQ((Case{.status = static_cast<Status>(299), .response_cc = "must-understand, no-store, max-age=60"})
                .verdict(),
            StoreVerdict::status);
}

TEST(Storability, Rfc9111_4_1_VaryStarIsNotStored) {
  EXPECT_EQ((Case{.response_cc = "max-age=60", .vary_star = true}).verdict(), StoreVerdict::vary_star);
}
