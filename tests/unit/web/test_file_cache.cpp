// The web server's per-loop open-file cache (file_cache.hpp) against a real directory and real inotify: the
// LRU bound, what each kind of change on disk invalidates (and what it leaves alone), the paths it refuses
// to cache, and the overflow that drops everything.
#include "http/server/file_cache.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "files/temp_dir.hpp"
#include "http/server/file_access.hpp"

namespace endhost::web {
namespace {

namespace fs = std::filesystem;

class FileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(open_root(dir_, root_), 0); }

  void write(const std::string& rel, const std::string& content) {
    fs::create_directories((fs::path(dir_) / rel).parent_path());
    std::ofstream(fs::path(dir_) / rel, std::ios::binary | std::ios::trunc) << content;
  }
  std::string path(const std::string& rel) const { return (fs::path(dir_) / rel).string(); }

  // Runs `f` on the io_context's thread (the cache checks it in debug builds), then whatever is ready.
  void on_loop(const std::function<void()>& f) {
    asio::post(io_, f);
    io_.restart();
    io_.poll();
  }

  // A request read from a socket, then the handler's sequence: sync, find, else open_beneath and insert.
  std::shared_ptr<const CachedFile> lookup(FileCache& cache, const std::string& rel, bool absent_ok = false) {
    std::shared_ptr<const CachedFile> out;
    on_loop([&] {
      cache.note_input();
      cache.sync();
      out = cache.find(this, rel);
      if (out) return;
      Fd fd;
      struct stat st {};
      const int err = open_beneath(root_.get(), rel, false, fd, st);
      if (err == 0) {
        out = cache.insert(this, root_.get(), rel, &st);
      } else if (err == ENOENT && absent_ok) {
        out = cache.insert(this, root_.get(), rel, nullptr);
      }
    });
    return out;
  }
  // Whether `rel` is still cached for a request read now (every reported change applied).
  bool cached(FileCache& cache, const std::string& rel) {
    bool found = false;
    on_loop([&] {
      cache.note_input();
      cache.sync();
      found = cache.find(this, rel) != nullptr;
    });
    return found;
  }
  void start(FileCache& cache) { ASSERT_TRUE(cache.start(io_.get_executor())); }

  asio::io_context io_;
  test::TempDir tmp_{"file-cache"};
  std::string dir_ = tmp_.path().string();
  Fd root_;
};

TEST_F(FileCacheTest, KeepsTheFileItsMetadataAndSmallContents) {
  write("a.txt", "hello");
  FileCache cache(8);
  start(cache);
  auto e = lookup(cache, "a.txt");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, CachedFile::Kind::file);
  EXPECT_TRUE(e->has_contents);
  EXPECT_EQ(e->contents, "hello");
  EXPECT_EQ(e->st.st_size, 5);
  EXPECT_EQ(e->mime.type, "text/plain; charset=utf-8");
  EXPECT_EQ(e->etag.view(),
            ETag(e->st.st_ino,
                 static_cast<std::int64_t>(e->st.st_mtim.tv_sec) * 1'000'000'000 + e->st.st_mtim.tv_nsec, 5)
                .view());
  EXPECT_EQ(e->last_modified_text(), std::string_view(http::to_http_date(e->st.st_mtim.tv_sec)));
  EXPECT_GE(e->fd.get(), 0);
  // The second lookup is a hit: the same entry.
  EXPECT_EQ(lookup(cache, "a.txt"), e);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().inserts, 1u);
}

TEST_F(FileCacheTest, LargerFilesAreKeptOpenWithoutTheirBytes) {
  write("big.bin", std::string(64, 'x'));
  FileCache cache(8, 16);
  start(cache);
  auto e = lookup(cache, "big.bin");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->has_contents);
  EXPECT_TRUE(e->contents.empty());
  char c = 0;
  EXPECT_EQ(::pread(e->fd.get(), &c, 1, 63), 1);
  EXPECT_EQ(c, 'x');
}

TEST_F(FileCacheTest, HoldsAtMostCapacityEntriesAndEvictsTheLeastRecentlyUsed) {
  for (const char* n : {"1", "2", "3", "4"}) write(n, n);
  FileCache cache(3);
  start(cache);
  ASSERT_TRUE(lookup(cache, "1"));
  ASSERT_TRUE(lookup(cache, "2"));
  ASSERT_TRUE(lookup(cache, "3"));
  ASSERT_TRUE(lookup(cache, "1"));  // now "2" is the least recently used
  ASSERT_TRUE(lookup(cache, "4"));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_TRUE(cached(cache, "1"));
  EXPECT_FALSE(cached(cache, "2"));
  EXPECT_TRUE(cached(cache, "3"));
  EXPECT_TRUE(cached(cache, "4"));
  // The watches of the evicted file went with it: the root and three files remain.
  EXPECT_EQ(cache.watches(), 4u);
}

TEST_F(FileCacheTest, CapacityZeroKeepsNothing) {
  write("a", "a");
  FileCache cache(0);
  EXPECT_FALSE(cache.start(io_.get_executor()));
  EXPECT_FALSE(cache.enabled());
  EXPECT_FALSE(lookup(cache, "a"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(FileCacheTest, NotStartedKeepsNothing) {
  write("a", "a");
  FileCache cache(8);
  EXPECT_FALSE(lookup(cache, "a"));
}

TEST_F(FileCacheTest, AWriteInvalidates) {
  write("a.txt", "one");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a.txt"));
  {
    // Same size, written in place: only the event can tell.
    Fd fd(::open(path("a.txt").c_str(), O_WRONLY));
    ASSERT_EQ(::pwrite(fd.get(), "two", 3, 0), 3);
  }
  EXPECT_FALSE(cached(cache, "a.txt"));
  auto e = lookup(cache, "a.txt");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->contents, "two");
  EXPECT_EQ(cache.stats().invalidations, 1u);
}

TEST_F(FileCacheTest, ATruncateInvalidates) {
  write("a.txt", "content");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a.txt"));
  ASSERT_EQ(::truncate(path("a.txt").c_str(), 2), 0);
  EXPECT_FALSE(cached(cache, "a.txt"));
}

TEST_F(FileCacheTest, AReplaceByRenameInvalidates) {
  write("d/a.txt", "old");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "d/a.txt"));
  write("d/.tmp", "new");
  fs::rename(path("d/.tmp"), path("d/a.txt"));
  EXPECT_FALSE(cached(cache, "d/a.txt"));
  auto e = lookup(cache, "d/a.txt");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->contents, "new");
}

TEST_F(FileCacheTest, ADeleteInvalidates) {
  write("a.txt", "x");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a.txt"));
  fs::remove(path("a.txt"));
  EXPECT_FALSE(cached(cache, "a.txt"));
  EXPECT_FALSE(lookup(cache, "a.txt"));
}

TEST_F(FileCacheTest, AChmodInvalidates) {
  write("a.txt", "x");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a.txt"));
  ASSERT_EQ(::chmod(path("a.txt").c_str(), 0600), 0);
  EXPECT_FALSE(cached(cache, "a.txt"));
}

TEST_F(FileCacheTest, ARenameOfADirectoryOnThePathInvalidates) {
  write("d/e/a.txt", "x");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "d/e/a.txt"));
  fs::rename(path("d"), path("moved"));
  EXPECT_FALSE(cached(cache, "d/e/a.txt"));
  EXPECT_FALSE(lookup(cache, "d/e/a.txt"));
}

TEST_F(FileCacheTest, ChangesToOtherNamesLeaveAnEntryAlone) {
  write("d/a.txt", "a");
  write("d/b.txt", "b");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "d/a.txt"));
  write("d/c.txt", "created");
  write("d/b.txt", "changed");
  fs::remove(path("d/b.txt"));
  write("other.txt", "x");
  EXPECT_TRUE(cached(cache, "d/a.txt"));
  EXPECT_EQ(cache.stats().invalidations, 0u);
}

TEST_F(FileCacheTest, AnAbsenceEndsWhenTheNameIsCreated) {
  write("a.css", "body{}");
  FileCache cache(8);
  start(cache);
  auto e = lookup(cache, "a.css.gz", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, CachedFile::Kind::absent);
  EXPECT_TRUE(cached(cache, "a.css.gz"));
  write("a.css.gz", "gz");
  EXPECT_FALSE(cached(cache, "a.css.gz"));
  e = lookup(cache, "a.css.gz", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, CachedFile::Kind::file);
}

TEST_F(FileCacheTest, AnAbsenceEndsWhenANameIsRenamedToIt) {
  write("x", "x");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "index.html", true));
  fs::rename(path("x"), path("index.html"));
  EXPECT_FALSE(cached(cache, "index.html"));
}

TEST_F(FileCacheTest, DirectoriesAndTheRoot) {
  write("d/a.txt", "a");
  FileCache cache(8);
  start(cache);
  auto root = lookup(cache, "");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind, CachedFile::Kind::directory);
  auto d = lookup(cache, "d");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, CachedFile::Kind::directory);
  EXPECT_FALSE(d->fd);
  // New files in them do not change what the directories are.
  write("new.txt", "x");
  write("d/new.txt", "x");
  EXPECT_TRUE(cached(cache, ""));
  EXPECT_TRUE(cached(cache, "d"));
  // Their permissions do.
  ASSERT_EQ(::chmod(path("d").c_str(), 0700), 0);
  EXPECT_FALSE(cached(cache, "d"));
  ASSERT_EQ(::chmod(dir_.c_str(), 0711), 0);
  EXPECT_FALSE(cached(cache, ""));
}

TEST_F(FileCacheTest, PathsThroughASymlinkAreNotCached) {
  write("real/a.txt", "a");
  fs::create_directory_symlink("real", path("link"));
  fs::create_symlink("real/a.txt", path("alias.txt"));
  FileCache cache(8);
  start(cache);
  // open_beneath allows both (they stay inside the root); the cache does not keep them.
  EXPECT_FALSE(lookup(cache, "link/a.txt"));
  EXPECT_FALSE(lookup(cache, "alias.txt"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.watches(), 0u);  // what the attempts watched was removed again
  EXPECT_TRUE(lookup(cache, "real/a.txt"));
}

TEST_F(FileCacheTest, AnotherInodeThanTheCheckedOneIsRefused) {
  write("a", "a");
  write("b", "b");
  FileCache cache(8);
  start(cache);
  struct stat other {};
  ASSERT_EQ(::stat(path("b").c_str(), &other), 0);
  on_loop([&] { EXPECT_FALSE(cache.insert(this, root_.get(), "a", &other)); });
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(FileCacheTest, SitesAreKeptApart) {
  write("a", "a");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a"));
  int other_site = 0;
  on_loop([&] { EXPECT_FALSE(cache.find(&other_site, "a")); });
}

TEST_F(FileCacheTest, RequestsReadBeforeAChangeMayStillBeAnsweredFromTheCache) {
  write("a", "a");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a"));
  write("a", "changed");
  // No bytes read since the last sync (the other requests of the same read, an h2 client's streams): the
  // queue is not read again, and those requests, which arrived before the change, may see the old file.
  on_loop([&] {
    cache.sync();
    EXPECT_TRUE(cache.find(this, "a"));
  });
  // The next read from a socket makes the next sync look.
  EXPECT_FALSE(cached(cache, "a"));
}

TEST_F(FileCacheTest, TheLoopsWaitAppliesChangesBetweenRequests) {
  write("a", "a");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a"));
  write("a", "changed");
  // No sync(): the asio wait on the inotify descriptor reads the events.
  for (int i = 0; i < 100 && cache.size() != 0; ++i) {
    io_.restart();
    io_.poll();
    ::usleep(1000);
  }
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.watches(), 0u);
}

TEST_F(FileCacheTest, AnOverflowOfTheEventQueueDropsEverything) {
  write("a", "a");
  write("b", "b");
  FileCache cache(8);
  start(cache);
  ASSERT_TRUE(lookup(cache, "a"));
  ASSERT_TRUE(lookup(cache, "b"));
  long max_events = 16384;
  if (FILE* f = std::fopen("/proc/sys/fs/inotify/max_queued_events", "r")) {
    if (std::fscanf(f, "%ld", &max_events) != 1) max_events = 16384;
    std::fclose(f);
  }
  if (max_events > 200'000) GTEST_SKIP() << "max_queued_events is " << max_events;
  // Alternate between the two files: the kernel merges only identical consecutive events.
  const std::string a = path("a"), b = path("b");
  for (long i = 0; i <= max_events; ++i) ASSERT_EQ(::chmod(i % 2 ? a.c_str() : b.c_str(), 0644), 0);
  on_loop([&] { cache.drain(); });
  EXPECT_EQ(cache.stats().overflows, 1u);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.watches(), 0u);
}

}  // namespace
}  // namespace endhost::web
