// The mail-access experiment's messages (experiments/mail_access_messages.hpp) read back by the project's
// MIME parser: three messages with unique Message-IDs, the third a multipart/mixed whose part 2 is the 200
// KiB attachment in base64 (what BODY.PEEK[2]<0.1024> takes the start of), the same bytes in every run.
#include <gtest/gtest.h>

#include <set>

#include "lab/experiments/mail_access_messages.hpp"
#include "mail/message/base64.hpp"
#include "mail/message/mime.hpp"

namespace endhost::lab {
namespace {

std::vector<AccessMessage> make(const std::string& run) {
  return mail_access_messages("alice@crepes.fr", "bob@hamburger.edu", run, "crepes.fr",
                              core::WallTime(std::chrono::seconds(1'800'000'000)));
}

TEST(MailAccessMessages, ThreeMessagesTheLastWithTheAttachmentAsPartTwo) {
  const auto messages = make("imap.1");
  ASSERT_EQ(messages.size(), 3u);
  std::set<std::string> ids, subjects;
  for (const auto& m : messages) {
    ids.insert(m.message_id);
    subjects.insert(m.subject);
    auto parsed = mail::message::parse_message(m.text);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->header("Message-ID"), m.message_id);
    EXPECT_EQ(parsed->header("Subject"), m.subject);
    EXPECT_EQ(parsed->header("To"), "Bob <bob@hamburger.edu>");
    EXPECT_EQ(parsed->is_multipart(), m.has_attachment);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(subjects.size(), 3u);
  EXPECT_FALSE(messages[0].has_attachment);
  EXPECT_FALSE(messages[1].has_attachment);
  ASSERT_TRUE(messages[2].has_attachment);

  auto large = mail::message::parse_message(messages[2].text);
  ASSERT_TRUE(large);
  ASSERT_EQ(large->parts.size(), 2u);
  const auto& attachment = large->parts[1];
  EXPECT_EQ(attachment.filename(), kAttachmentName);
  EXPECT_EQ(attachment.transfer_encoding, "base64");
  EXPECT_EQ(attachment.decoded_body(), mail_access_attachment());
  EXPECT_EQ(attachment.decoded_body().size(), kAttachmentBytes);
  // What the experiment compares the partial fetch with: the part's body starts with the 76-column base64.
  const std::string encoded = mail::message::base64_encode(mail_access_attachment(), 76);
  EXPECT_EQ(attachment.body.substr(0, 1024), encoded.substr(0, 1024));
  // Large beside the 1 KiB an IMAP client fetches of it; small messages beside it.
  EXPECT_GT(messages[2].text.size(), 250'000u);
  EXPECT_LT(messages[0].text.size(), 2'000u);
}

TEST(MailAccessMessages, RunsDifferOnlyInTheirIds) {
  const auto a = make("pop3-delete.7");
  const auto b = make("pop3-keep.7");
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NE(a[i].message_id, b[i].message_id);
    EXPECT_EQ(a[i].subject, b[i].subject);
  }
  EXPECT_EQ(mail_access_attachment(), mail_access_attachment());
  // Not a run of one byte: base64 of it must not compress away (the point of a large attachment).
  const std::string att = mail_access_attachment();
  EXPECT_GT(std::set<char>(att.begin(), att.end()).size(), 200u);
}

}  // namespace
}  // namespace endhost::lab
