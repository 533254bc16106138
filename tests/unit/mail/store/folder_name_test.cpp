// Folder names: INBOX folded in any case (also as the first level), the names that would leave the user's
// root or break the Maildir++ layout refused, the directory of each.
#include "mail/store/folder_name.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::store {
namespace {

TEST(StoreFolderName, InboxIsCaseInsensitive) {
  EXPECT_EQ(*canonical_folder_name("inbox"), "INBOX");
  EXPECT_EQ(*canonical_folder_name("InBoX.Sub"), "INBOX.Sub");
  EXPECT_EQ(*canonical_folder_name("Inboxes"), "Inboxes");
  EXPECT_EQ(*canonical_folder_name("Archive.2024"), "Archive.2024");
  EXPECT_EQ(*canonical_folder_name("&AOQ-rger"), "&AOQ-rger") << "modified UTF-7 is kept as it is";
}

TEST(StoreFolderName, RefusesTraversalAndBadShapes) {
  for (const char* bad :
       {"", "../x", "a/b", "..", ".", ".a", "a.", "a..b", "a\\b", "a*", "%", "x\ny", "t\tab", "a\x7f"}) {
    auto c = canonical_folder_name(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().kind, StoreError::Kind::Invalid) << bad;
  }
  EXPECT_TRUE(canonical_folder_name(std::string(200, 'x')));
  EXPECT_FALSE(canonical_folder_name(std::string(201, 'x')));
}

TEST(StoreFolderName, Directories) {
  EXPECT_EQ(folder_directory("INBOX"), "");
  EXPECT_EQ(folder_directory("Archive.2024"), ".Archive.2024");
}

TEST(StoreFolderName, UserNames) {
  EXPECT_TRUE(valid_user_name("bob"));
  EXPECT_TRUE(valid_user_name("bob@hamburger.edu"));
  for (const char* bad : {"", ".", "..", "../x", "a/b", ".hidden", "a\nb"})
    EXPECT_FALSE(valid_user_name(bad)) << bad;
}

}  // namespace
}  // namespace endhost::mail::store
