// The storage engine: durable objects (temp file, fsync, rename), the index rebuilt at start-up, torn files
// never served, Vary variants, the memory tier and the size bound.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "http/cache/store.hpp"
#include "http/date.hpp"
#include "files/temp_dir.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const Time t0 = from_time_t(1'700'000'000);

class StoreTest : public ::testing::Test {
 protected:

  StoreOptions options() {
    StoreOptions o;
    o.dir = dir_ / "cache";
    o.fsync = false;  // the tests check the protocol, not the disk
    return o;
  }

  static ObjectMeta meta(std::string key, std::string variant = "", Fields extra = {}) {
    ObjectMeta m;
    m.key = std::move(key);
    m.variant = std::move(variant);
    m.request_time = t0;
    m.response_time = t0;
    m.fields = {{"Cache-Control", "max-age=60"}, {"Content-Type", "text/plain"}};
    for (const Field& f : extra) m.fields.add(f.name, f.value);
    return m;
  }

  static ObjectPtr put(Store& store, ObjectMeta m, std::string_view body) {
    auto w = store.begin(std::move(m), body.size());
    EXPECT_TRUE(w) << (w ? "" : w.error());
    if (!w) return nullptr;
    EXPECT_TRUE(w->append(body));
    auto committed = store.commit(std::move(*w));
    EXPECT_TRUE(committed) << (committed ? "" : committed.error());
    return committed ? *committed : nullptr;
  }

  static std::string read_body(const Object& o) {
    std::ifstream in(o.path(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(o.body_offset()));
    std::string body(o.body_size(), '\0');
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    return body;
  }

  endhost::test::TempDir tmp_{"endhost-store"};
  fs::path dir_ = tmp_.path();
};

}  // namespace

TEST(ObjectFile, HeaderRoundTrip) {
  ObjectMeta m;
  m.key = "http://a/b";
  m.variant = "accept:x\n";
  m.request_time = t0;
  m.response_time = t0 + std::chrono::seconds(1);
  m.status = Status::not_found;
  m.reason = "Nope";
  m.fields = {{"A", "1"}, {"B", ""}};
  const std::string bytes = encode_object_header(m, 1234);
  auto h = decode_fixed_header(bytes);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->body_size, 1234u);
  EXPECT_EQ(h->header_size(), bytes.size());
  auto back = decode_object_meta(*h, std::string_view(bytes).substr(object_fixed_header));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(ObjectFile, CorruptionIsDetected) {
  ObjectMeta m;
  m.key = "k";
  std::string bytes = encode_object_header(m, 0);
  auto h = decode_fixed_header(bytes);
  ASSERT_TRUE(h);
  std::string flipped = bytes;
  flipped.back() ^= 1;
  EXPECT_FALSE(decode_object_meta(*h, std::string_view(flipped).substr(object_fixed_header)));
  EXPECT_FALSE(decode_object_meta(*h, std::string_view(bytes).substr(object_fixed_header + 1)));
  EXPECT_FALSE(decode_fixed_header("EHCOBJ0"));
  EXPECT_FALSE(decode_fixed_header(std::string(24, 'x')));
}

TEST_F(StoreTest, CommitThenFind) {
  auto store = Store::open(options());
  ASSERT_TRUE(store) << store.error();
  auto obj = put(**store, meta("http://a/x"), "hello");
  ASSERT_TRUE(obj);
  Found f = (*store)->find("http://a/x", Fields{});
  ASSERT_TRUE(f.object);
  EXPECT_EQ(f.object->body_size(), 5u);
  EXPECT_EQ(read_body(*f.object), "hello");
  ASSERT_TRUE(f.memory_body);  // small: in the memory tier too
  EXPECT_EQ(*f.memory_body, "hello");
  EXPECT_EQ(f.object->info().lifetime.value, std::chrono::seconds(60));
  EXPECT_EQ(f.object->head().substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_FALSE((*store)->find("http://a/y", Fields{}).object);
  EXPECT_FALSE((*store)->find("http://a/y", Fields{}).uri_known);
}

TEST_F(StoreTest, OneOpenStorePerDirectory) {
  auto first = Store::open(options());
  ASSERT_TRUE(first) << first.error();
  // A second store on the same directory would delete the first one's temporary files at load().
  auto w = (*first)->begin(meta("http://a/in-progress"));
  ASSERT_TRUE(w);
  auto second = Store::open(options());
  ASSERT_FALSE(second);
  EXPECT_NE(
      second.error().find("is in use by another endhost process (pid " + std::to_string(::getpid()) + ")"),
      std::string::npos)
      << second.error();
  EXPECT_FALSE(fs::is_empty(dir_ / "cache" / "tmp"));
  ASSERT_TRUE((*first)->commit(std::move(*w)));
  first->reset();  // closing releases the lock
  auto third = Store::open(options());
  ASSERT_TRUE(third) << third.error();
  EXPECT_TRUE((*third)->find("http://a/in-progress", Fields{}).object);
}

TEST_F(StoreTest, Rfc9111_5_1_TheStoredHeadCarriesNoAgeButTheAgeStillCounts) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  ObjectPtr o = put(**store, meta("http://a/age", "", {{"Age", "30"}}), "aged");
  ASSERT_TRUE(o);
  // The hit path appends the cache's own Age to head(): a stored Age there would make two.
  EXPECT_EQ(o->head().find("Age:"), std::string::npos) << o->head();
  EXPECT_TRUE(o->meta().fields.contains("age"));
  EXPECT_EQ(age_at(o->info(), t0), 30s);
}

// The lost invalidation (issue 18): a response is sent, its commit (fsync, rename) is still on the disk
// thread, and a POST for the same URI invalidates. The commit is held in flight by the test hook, so the
// interleaving is exact, not a matter of timing.
TEST_F(StoreTest, Rfc9111_4_4_AnInvalidationWinsOverACommitInFlight) {
  std::promise<void> reached, release;
  auto release_future = release.get_future().share();
  StoreOptions o = options();
  o.commit_hook = [&reached, release_future] {
    reached.set_value();
    release_future.wait();
  };
  {
    auto store = Store::open(o);
    ASSERT_TRUE(store);
    Store& st = **store;
    auto w = st.begin(meta("http://a/raced"), 4);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->append("body"));
    // The response is complete: from now on the index sees the object (a lookup right after is a hit).
    ASSERT_TRUE(st.publish(*w));
    EXPECT_TRUE(st.find("http://a/raced", Fields{}).object);
    endhost::Expected<ObjectPtr, std::string> committed = endhost::Unexpected(std::string("not run"));
    std::thread disk([&] { committed = st.commit(std::move(*w)); });
    reached.get_future().wait();  // the commit is in flight
    EXPECT_TRUE(st.find("http://a/raced", Fields{}).object);
    EXPECT_EQ(st.remove("http://a/raced"), 1u);  // the invalidation finds it
    release.set_value();
    disk.join();
    ASSERT_TRUE(committed) << committed.error();
    EXPECT_FALSE(*committed);  // nothing stored: the invalidation won
    EXPECT_FALSE(st.find("http://a/raced", Fields{}).object);
  }
  // Nor does it come back from the disk.
  StoreOptions plain = options();
  auto again = Store::open(plain);
  ASSERT_TRUE(again);
  EXPECT_FALSE((*again)->find("http://a/raced", Fields{}).object);
  EXPECT_EQ((*again)->stats().loaded, 0u);
}

TEST_F(StoreTest, Rfc9111_4_4_AnInvalidationWhileTheBodyIsWrittenCancelsTheWrite) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  Store& st = **store;
  auto w = st.begin(meta("http://a/cancelled"), 4);
  ASSERT_TRUE(w);
  EXPECT_EQ(st.remove("http://a/cancelled"), 0u);  // nothing indexed yet, but the write is in flight
  EXPECT_TRUE(w->invalidated());
  ASSERT_TRUE(w->append("body"));
  EXPECT_FALSE(st.publish(*w));
  auto committed = st.commit(std::move(*w));
  ASSERT_TRUE(committed) << committed.error();
  EXPECT_FALSE(*committed);
  EXPECT_FALSE(st.find("http://a/cancelled", Fields{}).object);
  // Another key's write is not touched.
  auto other = st.begin(meta("http://a/other"), 1);
  ASSERT_TRUE(other);
  st.remove("http://a/cancelled");
  ASSERT_TRUE(other->append("x"));
  EXPECT_TRUE(put(st, meta("http://a/third"), "y"));
  auto kept = st.commit(std::move(*other));
  ASSERT_TRUE(kept && *kept);
  EXPECT_TRUE(st.find("http://a/other", Fields{}).object);
}

TEST_F(StoreTest, APublishedObjectIsReadFromItsTemporaryFileUntilTheCommit) {
  StoreOptions o = options();
  o.memory_object_max = 0;  // so reads go to the file
  auto store = Store::open(o);
  ASSERT_TRUE(store);
  Store& st = **store;
  auto w = st.begin(meta("http://a/early"), 5);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append("early"));
  ObjectPtr early = st.publish(*w);
  ASSERT_TRUE(early);
  auto read_all = [](const Object& obj) {
    const int fd = obj.open_body();
    if (fd < 0) return std::string("open failed");
    std::string body(obj.body_size(), '\0');
    const ssize_t n = ::pread(fd, body.data(), body.size(), static_cast<off_t>(obj.body_offset()));
    ::close(fd);
    return n == static_cast<ssize_t>(body.size()) ? body : std::string("short read");
  };
  EXPECT_EQ(read_all(*early), "early");
  auto committed = st.commit(std::move(*w));
  ASSERT_TRUE(committed && *committed);
  EXPECT_EQ(read_all(*early), "early");  // the same object, now at its final path
  EXPECT_TRUE(fs::exists(early->path()));
}

TEST_F(StoreTest, Rfc9111_4_3_4_AFreshenOfAnInvalidatedObjectStoresNothing) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  ObjectPtr old = put(**store, meta("http://a/f"), "body");
  ASSERT_TRUE(old);
  (*store)->remove("http://a/f");
  auto fresh = (*store)->freshen(old, meta("http://a/f"));
  ASSERT_TRUE(fresh) << fresh.error();
  EXPECT_FALSE(*fresh);
  EXPECT_FALSE((*store)->find("http://a/f", Fields{}).object);
}

TEST_F(StoreTest, SurvivesARestart) {
  {
    auto store = Store::open(options());
    ASSERT_TRUE(store);
    put(**store, meta("http://a/1"), "one");
    put(**store, meta("http://a/2"), "two");
  }
  auto store = Store::open(options());
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ((*store)->stats().loaded, 2u);
  Found f = (*store)->find("http://a/2", Fields{});
  ASSERT_TRUE(f.object);
  EXPECT_EQ(read_body(*f.object), "two");
  EXPECT_FALSE(f.memory_body);  // the memory tier starts empty
  // New objects after a restart get fresh file names.
  auto third = put(**store, meta("http://a/3"), "three");
  ASSERT_TRUE(third);
  EXPECT_NE(third->path(), f.object->path());
}

TEST_F(StoreTest, AStatusPast599SurvivesARestart) {
  {
    auto store = Store::open(options());
    ASSERT_TRUE(store);
    ObjectMeta m = meta("http://a/weird");
    m.status = static_cast<Status>(999);
    m.reason = "Weird";
    ASSERT_TRUE(put(**store, std::move(m), "oops"));
  }
  auto store = Store::open(options());
  ASSERT_TRUE(store) << store.error();
  EXPECT_EQ((*store)->stats().loaded, 1u);
  Found f = (*store)->find("http://a/weird", Fields{});
  ASSERT_TRUE(f.object);
  EXPECT_EQ(to_int(f.object->meta().status), 999u);
}

TEST_F(StoreTest, TornFilesAndTemporaryFilesAreDiscardedAtStartUp) {
  fs::path torn;
  {
    auto store = Store::open(options());
    ASSERT_TRUE(store);
    torn = put(**store, meta("http://a/torn"), "0123456789")->path();
    put(**store, meta("http://a/ok"), "fine");
    // A write that never committed: the crash happened before the rename.
    auto w = (*store)->begin(meta("http://a/uncommitted"));
    ASSERT_TRUE(w);
    w->append("partial");
    std::ofstream(dir_ / "cache" / "tmp" / "999.tmp") << "left over";
  }
  fs::resize_file(torn, fs::file_size(torn) - 3);  // as if the disk lost the end of the file
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  EXPECT_FALSE((*store)->find("http://a/torn", Fields{}).object);
  EXPECT_FALSE(fs::exists(torn));
  EXPECT_TRUE((*store)->find("http://a/ok", Fields{}).object);
  EXPECT_FALSE((*store)->find("http://a/uncommitted", Fields{}).object);
  EXPECT_TRUE(fs::is_empty(dir_ / "cache" / "tmp"));
  EXPECT_EQ((*store)->stats().discarded, 1u);
}

TEST_F(StoreTest, PlantedFieldsWithCrLfAreNotServed) {
  fs::path path;
  {
    auto store = Store::open(options());
    ASSERT_TRUE(store);
    path = put(**store, meta("http://a/evil"), "x")->path();
  }
  // Rewrite the file with a field value that would split the response.
  ObjectMeta m = meta("http://a/evil");
  m.fields.add("X", "a\r\nSet-Cookie: pwned=1");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << encode_object_header(m, 1) << "x";
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  EXPECT_FALSE((*store)->find("http://a/evil", Fields{}).object);
}

TEST_F(StoreTest, ReplacingAnObjectDeletesTheOldFileWhenItsLastReaderIsDone) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  auto first = put(**store, meta("http://a/x"), "v1");
  const fs::path old_path = first->path();
  put(**store, meta("http://a/x"), "v2");
  EXPECT_TRUE(fs::exists(old_path));  // a reader still holds it
  EXPECT_EQ(read_body(*first), "v1");
  first.reset();
  EXPECT_FALSE(fs::exists(old_path));
  EXPECT_EQ(*(*store)->find("http://a/x", Fields{}).memory_body, "v2");
  EXPECT_EQ((*store)->stats().objects, 1u);
}

TEST_F(StoreTest, Rfc9111_4_1_VaryVariants) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  Fields vary{{"Vary", "Accept-Language"}};
  VarySpec spec = parse_vary(vary);
  Fields en{{"Accept-Language", "en"}}, fr{{"Accept-Language", "fr"}}, de{{"Accept-Language", "de"}};
  put(**store, meta("http://a/v", secondary_key(spec, en), vary), "hello");
  put(**store, meta("http://a/v", secondary_key(spec, fr), vary), "bonjour");
  EXPECT_EQ(*(*store)->find("http://a/v", en).memory_body, "hello");
  EXPECT_EQ(*(*store)->find("http://a/v", fr).memory_body, "bonjour");
  Found miss = (*store)->find("http://a/v", de);
  EXPECT_FALSE(miss.object);
  EXPECT_TRUE(miss.uri_known);  // a Vary miss, not a URI miss
  EXPECT_EQ((*store)->remove("http://a/v"), 2u);
  EXPECT_FALSE((*store)->find("http://a/v", en).object);
}

TEST_F(StoreTest, Rfc9111_4_1_AVariantInTheMostPreferredLanguageIsSelected) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  const Fields vary{{"Vary", "Accept-Language"}, {"Content-Language", "de"}};
  const VarySpec spec = parse_vary(vary);
  const Fields en_de{{"Accept-Language", "en, de"}};
  put(**store, meta("http://a/l", secondary_key(spec, en_de), vary), "hallo");
  // The origin answered "en, de" in German: it has German, and this request wants German most.
  const Fields prefers_de{{"Accept-Language", "fr;q=0.5, de;q=1.0"}};
  EXPECT_EQ(*(*store)->find("http://a/l", prefers_de).memory_body, "hallo");
  EXPECT_TRUE((*store)->find("http://a/l", Fields{{"Accept-Language", "DE"}}).object);
  // Anything else is a Vary miss: another first choice, a tie, only "*", or no Accept-Language.
  for (const char* value : {"fr, de;q=0.9", "de, fr", "*", "de;q=0, fr;q=0"})
    EXPECT_FALSE((*store)->find("http://a/l", Fields{{"Accept-Language", value}}).object) << value;
  EXPECT_FALSE((*store)->find("http://a/l", Fields{}).object);
  // Not for a response that varies on more than the language.
  const Fields two{{"Vary", "Accept-Language, Accept-Encoding"}, {"Content-Language", "de"}};
  put(**store, meta("http://a/m", secondary_key(parse_vary(two), en_de), two), "hallo");
  EXPECT_FALSE((*store)->find("http://a/m", prefers_de).object);
}

TEST_F(StoreTest, SizeBoundEvicts) {
  StoreOptions o = options();
  o.max_bytes = 20'000;
  auto store = Store::open(o);
  ASSERT_TRUE(store);
  const std::string body(1000, 'b');
  for (int i = 0; i < 100; ++i) put(**store, meta("http://a/" + std::to_string(i)), body);
  const StoreStats s = (*store)->stats();
  EXPECT_LE(s.bytes, 20'000u);
  EXPECT_GT(s.evictions, 70u);
  EXPECT_TRUE((*store)->find("http://a/99", Fields{}).object);
  // Evicted objects' files are gone: the directory holds only what the index holds.
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "cache" / "objects"))
    files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, s.objects);
}

TEST_F(StoreTest, OversizedObjectsAreRefused) {
  StoreOptions o = options();
  o.max_object_bytes = 10;
  auto store = Store::open(o);
  ASSERT_TRUE(store);
  EXPECT_FALSE((*store)->begin(meta("http://a/big"), 11));
  auto w = (*store)->begin(meta("http://a/chunked"));
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->append("12345"));
  EXPECT_FALSE(w->append("678901"));
  EXPECT_FALSE((*store)->commit(std::move(*w)));
  EXPECT_FALSE((*store)->find("http://a/chunked", Fields{}).object);
  EXPECT_TRUE(fs::is_empty(dir_ / "cache" / "tmp"));
}

TEST_F(StoreTest, MemoryTierIsBoundedAndRefilledFromDisk) {
  StoreOptions o = options();
  o.memory_bytes = 100;
  o.memory_object_max = 50;
  auto store = Store::open(o);
  ASSERT_TRUE(store);
  put(**store, meta("http://a/big"), std::string(60, 'x'));
  EXPECT_FALSE((*store)->find("http://a/big", Fields{}).memory_body);
  for (int i = 0; i < 10; ++i) put(**store, meta("http://a/s" + std::to_string(i)), std::string(30, 's'));
  EXPECT_LE((*store)->stats().memory_bytes, 100u);
  Found f = (*store)->find("http://a/s0", Fields{});
  ASSERT_TRUE(f.object);
  EXPECT_FALSE(f.memory_body);
  (*store)->remember(f.object, read_body(*f.object));
  EXPECT_TRUE((*store)->find("http://a/s0", Fields{}).memory_body);
}

TEST_F(StoreTest, Rfc9111_4_3_4_FreshenKeepsTheBodyUnderNewFields) {
  auto store = Store::open(options());
  ASSERT_TRUE(store);
  auto old = put(**store, meta("http://a/f"), "body!");
  ObjectMeta m = meta("http://a/f");
  m.fields.set("Cache-Control", "max-age=999");
  m.response_time = t0 + std::chrono::seconds(100);
  auto fresh = (*store)->freshen(old, m);
  ASSERT_TRUE(fresh) << fresh.error();
  Found f = (*store)->find("http://a/f", Fields{});
  ASSERT_EQ(f.object, *fresh);
  EXPECT_EQ(f.object->info().lifetime.value, std::chrono::seconds(999));
  EXPECT_EQ(read_body(*f.object), "body!");
  EXPECT_EQ((*store)->stats().objects, 1u);
}

TEST_F(StoreTest, RefusesADirectoryThatIsNotACache) {
  fs::create_directories(dir_ / "home");
  std::ofstream(dir_ / "home" / "notes.txt") << "precious";
  StoreOptions o = options();
  o.dir = dir_ / "home";
  auto store = Store::open(o);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().find("not an endhost cache directory"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "home" / "notes.txt"));
}
