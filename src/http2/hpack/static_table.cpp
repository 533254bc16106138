#include "http2/hpack/static_table.hpp"

#include <array>

namespace endhost::http2::hpack {
namespace {

constexpr std::array<TableEntry, kStaticTableSize> kStatic = {{
    {":authority", ""},                    // 1
    {":method", "GET"},                    // 2
    {":method", "POST"},                   // 3
    {":path", "/"},                        // 4
    {":path", "/index.html"},              // 5
    {":scheme", "http"},                   // 6
    {":scheme", "https"},                  // 7
    {":status", "200"},                    // 8
    {":status", "204"},                    // 9
    {":status", "206"},                    // 10
    {":status", "304"},                    // 11
    {":status", "400"},                    // 12
    {":status", "404"},                    // 13
    {":status", "500"},                    // 14
    {"accept-charset", ""},                // 15
    {"accept-encoding", "gzip, deflate"},  // 16
    {"accept-language", ""},               // 17
    {"accept-ranges", ""},                 // 18
    {"accept", ""},                        // 19
    {"access-control-allow-origin", ""},   // 20
    {"age", ""},                           // 21
    {"allow", ""},                         // 22
    {"authorization", ""},                 // 23
    {"cache-control", ""},                 // 24
    {"content-disposition", ""},           // 25
    {"content-encoding", ""},              // 26
    {"content-language", ""},              // 27
    {"content-length", ""},                // 28
    {"content-location", ""},              // 29
    {"content-range", ""},                 // 30
    {"content-type", ""},                  // 31
    {"cookie", ""},                        // 32
    {"date", ""},                          // 33
    {"etag", ""},                          // 34
    {"expect", ""},                        // 35
    {"expires", ""},                       // 36
    {"from", ""},                          // 37
    {"host", ""},                          // 38
    {"if-match", ""},                      // 39
    {"if-modified-since", ""},             // 40
    {"if-none-match", ""},                 // 41
    {"if-range", ""},                      // 42
    {"if-unmodified-since", ""},           // 43
    {"last-modified", ""},                 // 44
    {"link", ""},                          // 45
    {"location", ""},                      // 46
    {"max-forwards", ""},                  // 47
    {"proxy-authenticate", ""},            // 48
    {"proxy-authorization", ""},           // 49
    {"range", ""},                         // 50
    {"referer", ""},                       // 51
    {"refresh", ""},                       // 52
    {"retry-after", ""},                   // 53
    {"server", ""},                        // 54
    {"set-cookie", ""},                    // 55
    {"strict-transport-security", ""},     // 56
    {"transfer-encoding", ""},             // 57
    {"user-agent", ""},                    // 58
    {"vary", ""},                          // 59
    {"via", ""},                           // 60
    {"www-authenticate", ""},              // 61
}};

}  // namespace

TableEntry static_entry(std::size_t index) noexcept {
  return kStatic[index - 1];
}

namespace {

// A constexpr hash of the names into 64 buckets of at most kPerBucket runs (a run: the adjacent entries of
// one name, so the first name match is the lowest index and a full match, if any, follows it directly). A
// lookup compares the name against the bucket's few candidates only (most rejected on their length) where a
// linear scan compared it against up to 61 (it was 2-3% of a small-response profile).
constexpr std::size_t kBuckets = 64;
constexpr std::size_t kPerBucket = 4;

constexpr std::size_t name_hash(std::string_view name) noexcept {
  return (name.size() * 11 + static_cast<unsigned char>(name[1]) +
          static_cast<unsigned char>(name.back()) * 3) &
         (kBuckets - 1);
}

struct Buckets {
  std::array<std::array<std::uint8_t, kPerBucket>, kBuckets> runs{};  // 1-based first index of a run; 0: none
  bool overflow = false;
};

constexpr Buckets make_buckets() {
  Buckets b;
  for (std::size_t i = 0; i < kStatic.size(); ++i) {
    if (i > 0 && kStatic[i - 1].name == kStatic[i].name) continue;  // not a run's first entry
    auto& slot = b.runs[name_hash(kStatic[i].name)];
    std::size_t k = 0;
    while (k < kPerBucket && slot[k] != 0) ++k;
    if (k == kPerBucket) {
      b.overflow = true;
    } else {
      slot[k] = static_cast<std::uint8_t>(i + 1);
    }
  }
  return b;
}

constexpr Buckets kBucketsOfNames = make_buckets();
static_assert(!kBucketsOfNames.overflow, "a bucket of the static table's names is full: change name_hash");

}  // namespace

StaticMatch find_static(std::string_view name, std::string_view value) noexcept {
  if (name.size() < 3 || name.size() > 27) return {};  // "age" … "access-control-allow-origin"
  for (std::uint8_t first : kBucketsOfNames.runs[name_hash(name)]) {
    if (first == 0) break;
    if (kStatic[first - 1].name != name) continue;
    for (std::size_t i = first - 1; i < kStatic.size() && kStatic[i].name == name; ++i) {
      if (kStatic[i].value == value) return {static_cast<std::uint32_t>(i + 1), true};
    }
    return {first, false};
  }
  return {};
}

}  // namespace endhost::http2::hpack
