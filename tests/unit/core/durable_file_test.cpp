#include "core/durable_file.hpp"

#include "files/temp_dir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace endhost::core {
namespace {

namespace fs = std::filesystem;

// Closes a directory descriptor.
struct Fd {
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int fd_;
};

class DurableFile : public ::testing::Test {
 protected:

  static std::string read(const fs::path& p) { return test::read_file(p); }

  test::TempDir tmp_{"endhost-durable"};
  fs::path dir_ = tmp_.path();
};

TEST_F(DurableFile, ReplacesTheFileWholeAndLeavesNoTemporaryBehind) {
  const auto path = (dir_ / "zone").string();
  ASSERT_TRUE(write_file_durably(path, "old\n"));
  ASSERT_TRUE(write_file_durably(path, "new contents\n"));
  EXPECT_EQ(read(path), "new contents\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(DurableFile, SetsTheModificationTimeWhenAsked) {
  const auto path = (dir_ / "kiwi.gif").string();
  ASSERT_TRUE(write_file_durably(path, "GIF89a", 1441790604));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1441790604);
}

TEST_F(DurableFile, FailureNamesThePlaceAndChangesNothing) {
  auto r = write_file_durably((dir_ / "missing" / "x").string(), "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find((dir_ / "missing").string()), std::string::npos) << r.error();
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(DurableFile, WriterCommitsStreamedChunksWithTheModeAndSaysWhetherItReplaced) {
  const auto path = (dir_ / "page.html").string();
  DurableFileOptions options;
  options.mode = 0600;
  auto w = DurableFileWriter::create(path, options);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(w->write("<p>"));
  ASSERT_TRUE(w->write("hello</p>"));
  EXPECT_EQ(w->size(), 12u);
  EXPECT_FALSE(fs::exists(path));  // nothing partial is ever visible under the name
  auto created = w->commit();
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(*created);
  EXPECT_EQ(read(path), "<p>hello</p>");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = DurableFileWriter::create(path);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->write("two"));
  auto replaced = again->commit();
  ASSERT_TRUE(replaced);
  EXPECT_TRUE(*replaced);
  EXPECT_EQ(read(path), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
}

TEST_F(DurableFile, AbortAndDestructionRemoveTheTemporaryAndKeepTheOldFile) {
  const auto path = (dir_ / "keep").string();
  ASSERT_TRUE(write_file_durably(path, "old"));
  {
    auto w = DurableFileWriter::create(path);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write("new"));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 2);
    w->abort();
    EXPECT_FALSE(w->open());
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
  }
  {
    auto w = DurableFileWriter::create(path);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write("dropped"));
    DurableFileWriter moved = std::move(*w);  // the temporary follows the move, not the moved-from
    ASSERT_TRUE(moved.write(" still"));
  }  // destroyed without commit
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
}

TEST_F(DurableFile, HeaderPatchedWithWriteAtLandsInPlace) {
  const auto path = (dir_ / "object").string();
  fs::create_directory(dir_ / "tmp");
  DurableFileOptions options;
  options.sync = DurableSync::data;
  options.temp_dir = (dir_ / "tmp").string();
  options.temp_name = "7.tmp";
  auto w = DurableFileWriter::create(path, options);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_TRUE(fs::exists(dir_ / "tmp" / "7.tmp"));
  ASSERT_TRUE(w->write("LEN=????;body"));
  ASSERT_TRUE(w->write_at("0004", 4));
  EXPECT_EQ(w->size(), 13u);
  ASSERT_TRUE(w->commit());
  EXPECT_EQ(read(path), "LEN=0004;body");
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

TEST_F(DurableFile, UnnamedTemporaryHasNoNameUntilPublished) {
  Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DurableFileOptions options;
  options.unnamed_temp = true;
  auto w = DurableFileWriter::create_at(dir.get(), "upload.txt", options);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(w->write("data"));
  ASSERT_TRUE(w->sync());
  // tmpfs and ext4 have O_TMPFILE: a kill -9 now would leave nothing behind.
  EXPECT_TRUE(fs::is_empty(dir_));
  auto replaced = w->publish();
  ASSERT_TRUE(replaced) << replaced.error().message;
  ASSERT_TRUE(w->sync_dir());
  EXPECT_EQ(read(dir_ / "upload.txt"), "data");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
}

TEST_F(DurableFile, KeepExistingLosesARaceInsteadOfReplacing) {
  // Two writers of the same new name (two anonymous FTP uploads): the first to publish wins, the second gets
  // EEXIST from renameat2 and leaves nothing once aborted, not even its temporary.
  Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (const bool unnamed : {true, false}) {
    DurableFileOptions options;
    options.unnamed_temp = unnamed;
    auto first = DurableFileWriter::create_at(dir.get(), "race.txt", options);
    auto second = DurableFileWriter::create_at(dir.get(), "race.txt", options);
    ASSERT_TRUE(first && second);
    ASSERT_TRUE(first->write("first"));
    ASSERT_TRUE(second->write("second"));
    ASSERT_TRUE(first->commit(DurableFileWriter::Publish::keep_existing));
    auto lost = second->commit(DurableFileWriter::Publish::keep_existing);
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, EEXIST);
    second->abort();
    EXPECT_EQ(read(dir_ / "race.txt"), "first");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
    fs::remove(dir_ / "race.txt");
  }
}

TEST_F(DurableFile, PublishingOverADirectoryIsRefused) {
  fs::create_directory(dir_ / "sub");
  auto w = DurableFileWriter::create((dir_ / "sub").string());
  ASSERT_TRUE(w);
  auto r = w->commit();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EISDIR);
  EXPECT_TRUE(fs::is_directory(dir_ / "sub"));
}

TEST_F(DurableFile, DirectorySyncFailureIsReported) {
  fs::create_directory(dir_ / "sub");
  auto w = DurableFileWriter::create((dir_ / "sub" / "x").string());
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("x"));
  ASSERT_TRUE(w->sync());
  ASSERT_TRUE(w->publish());
  // The directory vanishes between the rename and its sync: the caller must learn the rename may not last.
  fs::rename(dir_ / "sub", dir_ / "gone");
  auto r = w->sync_dir();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ENOENT);
  EXPECT_NE(r.error().message.find("directory " + (dir_ / "sub").string()), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace endhost::core
