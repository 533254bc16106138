// What stays on the server, read from a user's Maildirs (experiments/mailbox_state.hpp): INBOX from new/ and
// cur/, Maildir++ folders, flags from the info part of the file names, a folder being deleted left out.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "lab/experiments/mailbox_state.hpp"

namespace endhost::lab {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "endhost-mailbox-state-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(MailboxState, FlagsFromFileNames) {
  EXPECT_EQ(maildir_flags("1.M1P1Q1.h,S=10:2,S"), "\\Seen");
  EXPECT_EQ(maildir_flags("1.M1P1Q1.h,S=10:2,FS"), "\\Seen \\Flagged");
  EXPECT_EQ(maildir_flags("1.M1P1Q1.h,S=10:2,DRT"), "\\Answered \\Deleted \\Draft");
  EXPECT_EQ(maildir_flags("1.M1P1Q1.h,S=10:2,"), "");
  EXPECT_EQ(maildir_flags("1.M1P1Q1.h,S=10"), "");             // new/: no info part yet
  EXPECT_EQ(maildir_flags("1.M1P1Q1.h,S=10:2,Sa"), "\\Seen");  // keywords are not system flags
}

TEST(MailboxState, FoldersMessagesAndFlags) {
  TempDir d;
  const fs::path u = d.path / "bob";
  touch(u / "new" / "3.M1P1Q3.h,S=5");
  touch(u / "cur" / "1.M1P1Q1.h,S=5:2,S");
  touch(u / "cur" / "2.M1P1Q2.h,S=5:2,F");
  touch(u / ".Course" / "cur" / "4.M1P1Q4.h,S=5:2,");
  fs::create_directories(u / ".Trash" / "cur");
  touch(u / "..endhost-deleted.1.1" / "cur" / "5.M1P1Q5.h:2,");
  touch(u / "tmp" / "6.M1P1Q6.h");  // not delivered yet
  const auto state = read_mailbox_state(u.string());
  ASSERT_EQ(state.size(), 3u);
  EXPECT_EQ(state[0].name, "INBOX");
  EXPECT_EQ(state[0].flags, (std::vector<std::string>{"\\Seen", "\\Flagged", ""}));  // delivery order
  EXPECT_EQ(state[1].name, "Course");
  EXPECT_EQ(state[1].messages(), 1u);
  EXPECT_EQ(state[2].name, "Trash");
  EXPECT_EQ(state[2].messages(), 0u);
  EXPECT_EQ(describe_state(state, {"INBOX", "Course"}), "INBOX 3 (\\Seen, \\Flagged, -); Course 1 (-)");
  EXPECT_EQ(describe_state(state, {"Trash"}), "INBOX 3 (\\Seen, \\Flagged, -); Course 1 (-); Trash 0");
}

TEST(MailboxState, EmptyAndMissing) {
  TempDir d;
  EXPECT_TRUE(read_mailbox_state((d.path / "nobody").string()).empty());
  fs::create_directories(d.path / "bob" / "cur");
  const auto state = read_mailbox_state((d.path / "bob").string());
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].messages(), 0u);
  EXPECT_EQ(describe_state(state, {"INBOX"}), "INBOX 0");
  EXPECT_EQ(describe_state(state, {}), "nothing");
}

}  // namespace
}  // namespace endhost::lab
