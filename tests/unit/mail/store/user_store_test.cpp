// A user's folders: the special-use folders made at first use, CREATE / LIST / DELETE / RENAME with
// children and the RFC 3501 rule for renaming INBOX, names that would escape the root refused,
// subscriptions kept across restarts, a new UIDVALIDITY for a folder made again under an old name.
#include <gtest/gtest.h>

#include <algorithm>

#include "store_fixture.hpp"

namespace endhost::mail::store {
namespace {

using testing_support::StoreTest;
namespace fs = std::filesystem;
using UserStoreTest = StoreTest;

const FolderInfo* find(const std::vector<FolderInfo>& list, const std::string& name) {
  for (const auto& f : list)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> names_of(const std::vector<FolderInfo>& list) {
  std::vector<std::string> out;
  for (const auto& f : list) out.push_back(f.name);
  return out;
}

TEST_F(UserStoreTest, SpecialUseFoldersAreMadeAtFirstUse) {
  auto u = user();
  ASSERT_TRUE(u);
  EXPECT_TRUE(fs::is_directory(root() / "cur"));
  auto list = u->list();
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(names_of(*list), (std::vector<std::string>{"INBOX", "Drafts", "Junk", "Sent", "Trash"}));
  EXPECT_EQ(find(*list, "Sent")->special_use, "\\Sent");
  EXPECT_EQ(find(*list, "Trash")->special_use, "\\Trash");
  EXPECT_EQ(find(*list, "INBOX")->special_use, "");
  EXPECT_TRUE(fs::is_directory(root() / ".Sent" / "new"));
  EXPECT_TRUE(fs::exists(root() / ".Sent" / "endhost-uidlist"));
}

TEST_F(UserStoreTest, CreateListAndRemove) {
  auto u = user();
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->create("Archive.2024"));
  auto again = u->create("Archive.2024");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, StoreError::Kind::Exists);
  EXPECT_EQ(u->create("inbox").error().kind, StoreError::Kind::Exists);
  ASSERT_TRUE(u->create("Projects."));  // a hierarchy level: nothing to make
  EXPECT_FALSE(u->exists("Projects"));
  auto list = *u->list();
  const FolderInfo* level = find(list, "Archive");
  ASSERT_TRUE(level);
  EXPECT_FALSE(level->selectable) << "only its child exists";
  EXPECT_TRUE(level->has_children);
  ASSERT_TRUE(find(list, "Archive.2024"));
  EXPECT_TRUE(find(list, "Archive.2024")->selectable);
  EXPECT_FALSE(find(list, "Archive.2024")->has_children);
  EXPECT_FALSE(find(list, "Projects"));
  auto opened = u->open("Archive");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, StoreError::Kind::NoSuchMailbox);

  ASSERT_TRUE(u->create("Archive"));
  auto archive = *u->open("Archive");
  ASSERT_TRUE(archive->append("x\r\n", {}, std::nullopt));
  ASSERT_TRUE(u->remove("Archive"));
  EXPECT_FALSE(fs::exists(root() / ".Archive"));
  EXPECT_TRUE(fs::exists(root() / ".Archive.2024")) << "children stay (RFC 3501 §6.3.4)";
  EXPECT_FALSE(find(*u->list(), "Archive")->selectable);
  auto stale = archive->refresh();
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().kind, StoreError::Kind::NoSuchMailbox) << "an open handle learns it is gone";
  EXPECT_EQ(u->remove("INBOX").error().kind, StoreError::Kind::Invalid);
  EXPECT_EQ(u->remove("Nope").error().kind, StoreError::Kind::NoSuchMailbox);
  for (const auto& e : fs::directory_iterator(root()))
    EXPECT_EQ(e.path().filename().string().find("..endhost-deleted"), std::string::npos)
        << "nothing left over";
}

TEST_F(UserStoreTest, NamesThatEscapeTheRootAreRefused) {
  auto u = user();
  ASSERT_TRUE(u);
  for (const char* bad : {"../x", "a/b", "..", "../../etc", ".hidden", "a..b", ""}) {
    auto made = u->create(bad);
    ASSERT_FALSE(made) << bad;
    EXPECT_EQ(made.error().kind, StoreError::Kind::Invalid) << bad;
    EXPECT_FALSE(u->open(bad)) << bad;
  }
  EXPECT_FALSE(fs::exists(base_ / "users" / "x"));
  EXPECT_FALSE(store_->user("../alice"));
  EXPECT_FALSE(store_->user(""));
  EXPECT_FALSE(store_->user(".."));
}

TEST_F(UserStoreTest, RenameTakesChildrenAndKeepsTheMessages) {
  auto u = user();
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->create("a"));
  ASSERT_TRUE(u->create("a.b"));
  ASSERT_TRUE(u->create("ab"));  // not a child: a prefix without the delimiter
  auto a = *u->open("a");
  ASSERT_TRUE(a->append("x\r\n", {kSeen, 0}, std::nullopt));
  const std::uint32_t uidvalidity = a->snapshot().uidvalidity;
  ASSERT_TRUE(u->rename("a", "c"));
  const auto names = names_of(*u->list());
  EXPECT_NE(std::find(names.begin(), names.end(), "c"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "c.b"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "ab"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "a"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "a.b"), names.end());
  EXPECT_EQ(a->refresh().error().kind, StoreError::Kind::NoSuchMailbox);
  auto c = *u->open("c");
  EXPECT_NE(c.get(), a.get());
  EXPECT_EQ(c->snapshot().uidvalidity, uidvalidity) << "the index moved with the folder";
  EXPECT_EQ(c->find(1)->flags.system, kSeen);

  EXPECT_EQ(u->rename("c", "ab").error().kind, StoreError::Kind::Exists);
  EXPECT_EQ(u->rename("c", "c.sub").error().kind, StoreError::Kind::Invalid);
  EXPECT_EQ(u->rename("nope", "z").error().kind, StoreError::Kind::NoSuchMailbox);
  EXPECT_EQ(u->rename("c", "INBOX").error().kind, StoreError::Kind::Exists);
  ASSERT_TRUE(u->create("d.b"));
  EXPECT_EQ(u->rename("c", "d").error().kind, StoreError::Kind::Exists) << "c.b would land on d.b";
  EXPECT_TRUE(u->exists("c")) << "nothing moved";
}

TEST_F(UserStoreTest, RenamingInboxMovesItsMessagesAndLeavesItEmpty) {
  auto u = user();
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->create("INBOX.child"));
  auto inbox = *u->open("INBOX");
  const std::vector<std::string> kw = {"work"};
  const std::uint32_t work = *inbox->keyword_bits(kw, true);
  ASSERT_TRUE(inbox->append("one\r\n", {kSeen, work}, 1'600'000'000));
  ASSERT_TRUE(inbox->append("two\r\n", {}, std::nullopt));
  ASSERT_TRUE(u->rename("INBOX", "Old"));
  EXPECT_EQ(inbox->count(), 0u);
  EXPECT_FALSE(inbox->gone()) << "INBOX stays usable";
  EXPECT_TRUE(u->exists("INBOX.child")) << "INBOX's children stay (RFC 3501 §6.3.5)";
  auto old = *u->open("Old");
  ASSERT_EQ(old->count(), 2u);
  EXPECT_EQ(*old->read(1, 100), "one\r\n");
  EXPECT_EQ(old->find(1)->flags, (Flags{kSeen, 1}));
  EXPECT_EQ(old->keywords(), kw);
  EXPECT_EQ(old->find(1)->internal_date, 1'600'000'000);
  EXPECT_EQ(*inbox->append("three\r\n", {}, std::nullopt), 3u) << "INBOX's UIDs go on";
}

TEST_F(UserStoreTest, AFolderMadeAgainHasANewUidvalidity) {
  auto u = user();
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->create("x"));
  const std::uint32_t first = (*u->open("x"))->snapshot().uidvalidity;
  ASSERT_TRUE(u->remove("x"));
  ASSERT_TRUE(u->create("x"));
  EXPECT_GT((*u->open("x"))->snapshot().uidvalidity, first);
}

TEST_F(UserStoreTest, SubscriptionsSurviveARestart) {
  auto u = user();
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->subscribe("a", true));
  ASSERT_TRUE(u->subscribe("inbox", true));
  ASSERT_TRUE(u->subscribe("b", true));
  ASSERT_TRUE(u->subscribe("b", true));
  ASSERT_TRUE(u->subscribe("a", false));
  EXPECT_EQ(u->subscriptions(), (std::vector<std::string>{"INBOX", "b"}));
  EXPECT_FALSE(u->subscribe("../x", true));
  u.reset();
  restart();
  EXPECT_EQ(user()->subscriptions(), (std::vector<std::string>{"INBOX", "b"}));
  EXPECT_EQ(slurp(root() / "subscriptions"), "INBOX\nb\n");
}

TEST_F(UserStoreTest, AnInterruptedDeleteIsFinishedAtTheNextOpen) {
  fs::create_directories(root() / "..endhost-deleted.1.1" / "cur");
  auto u = user();
  ASSERT_TRUE(u);
  EXPECT_FALSE(fs::exists(root() / "..endhost-deleted.1.1"));
}

}  // namespace
}  // namespace endhost::mail::store
