// One folder: append, read, flags as renames; UIDs that survive a restart; delivery through new/; changes
// made behind the store's back (renames, deletions, files it never indexed); the index lost, corrupt or
// torn; keywords and their limit; COPY and EXPUNGE; the change journal; the POP3 lock; \Recent; many
// threads at once.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "mail/maildir/maildir.hpp"
#include "mail/store/file_name.hpp"
#include "mail/store/uid_list.hpp"
#include "store_fixture.hpp"

namespace endhost::mail::store {
namespace {

using testing_support::StoreTest;
namespace fs = std::filesystem;

const std::string kMessage = "From: alice@crepes.fr\r\nSubject: hi\r\n\r\nHello Bob\r\n";

std::vector<std::uint32_t> uids_of(const Mailbox::Snapshot& s) {
  std::vector<std::uint32_t> out;
  for (const auto& m : s.messages) out.push_back(m.uid);
  return out;
}

// The one file of `dir`'s cur/.
std::string only_file(const fs::path& cur) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(cur)) files.push_back(e.path().filename().string());
  EXPECT_EQ(files.size(), 1u);
  return files.empty() ? "" : files[0];
}

using MailboxTest = StoreTest;

TEST_F(MailboxTest, AppendReadAndFlagsAsRenames) {
  auto mb = box();
  ASSERT_TRUE(mb);
  auto uid = mb->append(kMessage, Flags{kSeen, 0}, 1'700'000'000);
  ASSERT_TRUE(uid) << uid.error().message;
  EXPECT_EQ(*uid, 1u);
  auto bytes = mb->read(*uid, 1 << 20);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(*bytes, kMessage);
  auto rec = mb->find(*uid);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size, kMessage.size()) << "CRLF already: the virtual size is the file's";
  EXPECT_EQ(rec->internal_date, 1'700'000'000);
  EXPECT_EQ(rec->flags, (Flags{kSeen, 0}));
  const std::string file = only_file(root() / "cur");
  EXPECT_EQ(file, rec->base + ":2,S");
  EXPECT_NE(rec->base.find(".test.host,S=" + std::to_string(kMessage.size())), std::string::npos)
      << rec->base;
  struct stat st {};
  ASSERT_EQ(::stat((root() / "cur" / file).c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1'700'000'000) << "INTERNALDATE is the mtime";
  EXPECT_EQ(names(root() / "tmp").size(), 0u);

  const std::uint32_t one[] = {*uid};
  auto changed = mb->store_flags(one, Mailbox::FlagOp::Add, Flags{kFlagged, 0});
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, std::vector<std::uint32_t>{1});
  EXPECT_EQ(only_file(root() / "cur"), rec->base + ":2,FS");
  ASSERT_TRUE(mb->store_flags(one, Mailbox::FlagOp::Remove, Flags{kSeen, 0}));
  EXPECT_EQ(only_file(root() / "cur"), rec->base + ":2,F");
  ASSERT_TRUE(mb->store_flags(one, Mailbox::FlagOp::Replace, Flags{kDraft | kAnswered, 0}));
  EXPECT_EQ(only_file(root() / "cur"), rec->base + ":2,DR");
  EXPECT_EQ(mb->find(1)->flags, (Flags{kDraft | kAnswered, 0}));
  auto again = mb->store_flags(one, Mailbox::FlagOp::Add, Flags{kDraft, 0});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty()) << "no change, no rename";
  EXPECT_EQ(*mb->read(1, 1 << 20), kMessage) << "the content follows the renames";

  auto fd = mb->open(1);
  ASSERT_TRUE(fd);
  char buf[5] = {};
  EXPECT_EQ(::read(*fd, buf, 4), 4);
  EXPECT_STREQ(buf, "From");
  ::close(*fd);
}

TEST_F(MailboxTest, LimitsOnSize) {
  auto mb = box();
  ASSERT_TRUE(mb);
  auto big = mb->append(std::string(kMaxMessage + 1, 'x'), {}, std::nullopt);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, StoreError::Kind::TooBig);
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  auto cut = mb->read(1, 10);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, StoreError::Kind::TooBig);
  auto none = mb->read(99, 100);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, StoreError::Kind::NoSuchMessage);
}

TEST_F(MailboxTest, UidsSurviveARestart) {
  std::uint32_t uidvalidity = 0;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(mb->append(kMessage + std::to_string(i), {}, std::nullopt));
    const std::uint32_t two[] = {2};
    ASSERT_TRUE(mb->expunge(two));
    uidvalidity = mb->snapshot().uidvalidity;
  }
  restart();
  Mailbox::OpenReport report;
  auto mb = box("INBOX", &report);
  ASSERT_TRUE(mb);
  EXPECT_FALSE(report.rebuilt) << report.why;
  const auto s = mb->snapshot();
  EXPECT_EQ(s.uidvalidity, uidvalidity);
  EXPECT_EQ(s.uidnext, 4u);
  EXPECT_EQ(uids_of(s), (std::vector<std::uint32_t>{1, 3}));
  EXPECT_EQ(*mb->read(3, 1 << 20), kMessage + "2");
  EXPECT_EQ(*mb->append(kMessage, {}, std::nullopt), 4u) << "an expunged UID is never given again";
}

TEST_F(MailboxTest, DeliveryIsTakenInFromNew) {
  auto mb = box();
  ASSERT_TRUE(mb);
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  maildir::Writer writer("mx.test");
  const std::string body = "Subject: delivered\r\n\r\nbody\r\n";
  const std::vector<std::string_view> parts = {body};
  auto path = writer.deliver(root(), parts);
  ASSERT_TRUE(path) << path.error().message;
  auto changed = mb->refresh();
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(names(root() / "new").size(), 0u) << "moved to cur/";
  const auto rec = mb->find(2);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->base, path->filename().string()) << "the base is the delivered name: POP3's UIDL";
  EXPECT_EQ(rec->size, body.size());
  EXPECT_TRUE(fs::exists(root() / "cur" / (rec->base + ":2,")));
  EXPECT_EQ(*mb->read(2, 1 << 20), body);
  auto quiet = mb->refresh();
  ASSERT_TRUE(quiet);
  EXPECT_FALSE(*quiet) << "nothing new the second time";
}

TEST_F(MailboxTest, BareLineFeedsGiveTheCrlfSize) {
  auto mb = box();
  ASSERT_TRUE(mb);
  spit(root() / "new" / "1700000000.M1P1Q1.other,S=14", "Subject: x\n\nb\n");
  spit(root() / "new" / "1700000000.M2P1Q1.other,S=5,W=99", "a\nb\n\n");  // W= is trusted, as Dovecot does
  ASSERT_TRUE(mb->refresh());
  ASSERT_EQ(mb->count(), 2u);
  EXPECT_EQ(mb->find(1)->size, 17u);
  EXPECT_EQ(mb->find(2)->size, 99u);
  restart();
  auto again = box();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->find(1)->size, 17u) << "kept in the index";
}

TEST_F(MailboxTest, ExternalRenameAndDeleteAreSeen) {
  auto mb = box();
  ASSERT_TRUE(mb);
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  const std::uint64_t v0 = mb->version();
  const auto r1 = *mb->find(1), r2 = *mb->find(2);
  fs::rename(root() / "cur" / (r1.base + ":2,"), root() / "cur" / (r1.base + ":2,ST"));
  fs::remove(root() / "cur" / (r2.base + ":2,"));
  auto changed = mb->refresh();
  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  EXPECT_EQ(mb->find(1)->flags, (Flags{kSeen | kDeleted, 0}));
  EXPECT_FALSE(mb->find(2));
  std::uint64_t now = 0;
  auto changes = mb->changes_since(v0, &now);
  ASSERT_TRUE(changes);
  EXPECT_EQ(now, v0 + 2);
  const std::set<std::pair<int, std::uint32_t>> got = {
      {static_cast<int>((*changes)[0].kind), (*changes)[0].uid},
      {static_cast<int>((*changes)[1].kind), (*changes)[1].uid}};
  const std::set<std::pair<int, std::uint32_t>> want = {{static_cast<int>(Change::Kind::FlagsChanged), 1},
                                                        {static_cast<int>(Change::Kind::Expunged), 2}};
  EXPECT_EQ(got, want);
}

TEST_F(MailboxTest, ReadFollowsARenameItHadNotSeen) {
  auto mb = box();
  ASSERT_TRUE(mb);
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  const auto r = *mb->find(1);
  fs::rename(root() / "cur" / (r.base + ":2,"), root() / "cur" / (r.base + ":2,F"));
  auto bytes = mb->read(1, 1 << 20);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(*bytes, kMessage);
  EXPECT_EQ(mb->find(1)->flags.system, kFlagged);
}

TEST_F(MailboxTest, FilesTheIndexNeverHeardOfGetNewUids) {
  // A kill -9 between the rename into cur/ and the index append leaves exactly this.
  auto mb = box();
  ASSERT_TRUE(mb);
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  spit(root() / "cur" / "1700000001.M5P1Q1.other,S=3:2,S", "a\r\n");
  ASSERT_TRUE(mb->refresh());
  ASSERT_TRUE(mb->find(2));
  EXPECT_EQ(mb->find(2)->flags.system, kSeen);
  EXPECT_EQ(mb->find(2)->base, "1700000001.M5P1Q1.other,S=3");
}

TEST_F(MailboxTest, AnIndexedFileStillInNewKeepsItsUid) {
  // A crash after the index append but before the rename new/ → cur/ reached the disk.
  std::uint32_t uidvalidity = 0;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
    uidvalidity = mb->snapshot().uidvalidity;
  }
  std::string index = slurp(root() / "endhost-uidlist");
  append_uid_record(index, 2, 3, 1700000002, "1700000002.M1P1Q1.mx,S=3");
  spit(root() / "endhost-uidlist", index);
  spit(root() / "new" / "1700000002.M1P1Q1.mx,S=3", "a\r\n");
  restart();
  Mailbox::OpenReport report;
  auto mb = box("INBOX", &report);
  ASSERT_TRUE(mb);
  EXPECT_FALSE(report.rebuilt);
  EXPECT_EQ(mb->snapshot().uidvalidity, uidvalidity);
  EXPECT_EQ(uids_of(mb->snapshot()), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(mb->find(2)->base, "1700000002.M1P1Q1.mx,S=3");
  EXPECT_EQ(mb->snapshot().uidnext, 3u) << "not given a second UID";
}

TEST_F(MailboxTest, ALostIndexIsRebuiltWithANewUidvalidity) {
  std::uint32_t old = 0;
  std::vector<std::string> bases;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(mb->append(kMessage + std::to_string(i), {kSeen, 0}, std::nullopt));
    old = mb->snapshot().uidvalidity;
    for (const auto& m : mb->snapshot().messages) bases.push_back(m.base);
  }
  fs::remove(root() / "endhost-uidlist");
  restart();
  Mailbox::OpenReport report;
  auto mb = box("INBOX", &report);
  ASSERT_TRUE(mb);
  EXPECT_TRUE(report.rebuilt);
  EXPECT_NE(report.why.find("missing"), std::string::npos) << report.why;
  const auto s = mb->snapshot();
  EXPECT_GT(s.uidvalidity, old);
  ASSERT_EQ(s.messages.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.messages[i].uid, i + 1);
    EXPECT_EQ(s.messages[i].base, bases[i]) << "UIDs in delivery order";
    EXPECT_EQ(s.messages[i].flags.system, kSeen) << "flags live in the names";
  }
}

TEST_F(MailboxTest, ACorruptIndexIsRebuilt) {
  std::uint32_t old = 0;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
    old = mb->snapshot().uidvalidity;
  }
  std::string index = slurp(root() / "endhost-uidlist");
  const auto second_line = index.find('\n') + 1;
  index.replace(second_line, 3, "zz ");
  spit(root() / "endhost-uidlist", index);
  // The user-wide counter is gone too: the old header alone must still give a larger value.
  fs::remove(root() / "endhost-uidvalidity");
  restart();
  Mailbox::OpenReport report;
  auto mb = box("INBOX", &report);
  ASSERT_TRUE(mb);
  EXPECT_TRUE(report.rebuilt);
  EXPECT_NE(report.why.find("corrupt"), std::string::npos) << report.why;
  EXPECT_GT(mb->snapshot().uidvalidity, old);
  EXPECT_EQ(mb->count(), 3u) << "never lost";
  EXPECT_EQ(mb->snapshot().uidnext, 4u) << "never twice";
}

TEST_F(MailboxTest, ATornLastRecordIsCutOff) {
  std::uint32_t uidvalidity = 0;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
    ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
    uidvalidity = mb->snapshot().uidvalidity;
  }
  const std::string good = slurp(root() / "endhost-uidlist");
  spit(root() / "endhost-uidlist", good + "3 51 17000");
  restart();
  {
    Mailbox::OpenReport report;
    auto mb = box("INBOX", &report);
    ASSERT_TRUE(mb);
    EXPECT_FALSE(report.rebuilt) << report.why;
    EXPECT_EQ(mb->snapshot().uidvalidity, uidvalidity);
    EXPECT_EQ(mb->snapshot().uidnext, 3u);
    EXPECT_EQ(*mb->append(kMessage, {}, std::nullopt), 3u);
  }
  restart();
  Mailbox::OpenReport report;
  auto mb = box("INBOX", &report);
  ASSERT_TRUE(mb);
  EXPECT_FALSE(report.rebuilt) << "the append after the cut made a whole line: " << report.why;
  EXPECT_EQ(uids_of(mb->snapshot()), (std::vector<std::uint32_t>{1, 2, 3}));
}

// RFC 3501 §2.3.1.1: the UIDs of lost records were given out and the files keep no trace of them, so they
// cannot be kept: the folder is rebuilt with a new UIDVALIDITY. `cut`: how many bytes the index loses at its
// end (0: its last two records, whole).
class LostTailTest : public StoreTest {
 protected:
  void check(std::size_t cut) {
    std::uint32_t old = 0;
    {
      auto mb = box();
      ASSERT_TRUE(mb);
      for (int i = 0; i < 3; ++i) ASSERT_TRUE(mb->append(kMessage + std::to_string(i), {}, std::nullopt));
      old = mb->snapshot().uidvalidity;
    }
    const std::string index = slurp(root() / "endhost-uidlist");
    const std::size_t keep =
        cut != 0 ? index.size() - cut : index.rfind('\n', index.rfind('\n', index.size() - 2) - 1) + 1;
    spit(root() / "endhost-uidlist", index.substr(0, keep));
    restart();
    Mailbox::OpenReport report;
    auto mb = box("INBOX", &report);
    ASSERT_TRUE(mb);
    EXPECT_TRUE(report.rebuilt);
    EXPECT_NE(report.why.find("its end was lost"), std::string::npos) << report.why;
    EXPECT_GT(mb->snapshot().uidvalidity, old);
    EXPECT_EQ(mb->count(), 3u) << "never lost";
    EXPECT_EQ(uids_of(mb->snapshot()), (std::vector<std::uint32_t>{1, 2, 3}));
  }
};

TEST_F(LostTailTest, SomeBytesCutOff) {
  check(7);
}
TEST_F(LostTailTest, WholeRecordsCutOff) {
  check(0);
}

TEST_F(MailboxTest, AnIntactIndexKeepsItsUidvalidityAndCount) {
  std::uint32_t old = 0;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(mb->append(kMessage + std::to_string(i), {}, std::nullopt));
    old = mb->snapshot().uidvalidity;
  }
  const std::string index = slurp(root() / "endhost-uidlist");
  EXPECT_NE(index.substr(0, index.find('\n')).find(" R0000000003"), std::string::npos) << index;
  restart();
  Mailbox::OpenReport report;
  auto mb = box("INBOX", &report);
  ASSERT_TRUE(mb);
  EXPECT_FALSE(report.rebuilt) << report.why;
  EXPECT_EQ(mb->snapshot().uidvalidity, old);
  EXPECT_EQ(*mb->append(kMessage, {}, std::nullopt), 4u);
}

TEST_F(MailboxTest, AVersionOneIndexIsUpgradedInPlace) {
  std::uint32_t old = 0;
  {
    auto mb = box();
    ASSERT_TRUE(mb);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(mb->append(kMessage + std::to_string(i), {}, std::nullopt));
    old = mb->snapshot().uidvalidity;
  }
  std::string index = slurp(root() / "endhost-uidlist");
  const auto header_end = index.find('\n');
  const std::string v1 = "endhost-uidlist 1 V" + std::to_string(old) + " N3";
  index.replace(0, header_end, v1);
  spit(root() / "endhost-uidlist", index);
  restart();
  {
    Mailbox::OpenReport report;
    auto mb = box("INBOX", &report);
    ASSERT_TRUE(mb);
    EXPECT_FALSE(report.rebuilt) << report.why;
    EXPECT_EQ(mb->snapshot().uidvalidity, old);
    EXPECT_EQ(*mb->append(kMessage, {}, std::nullopt), 3u);
  }
  EXPECT_TRUE(slurp(root() / "endhost-uidlist").starts_with("endhost-uidlist 2 "));
  restart();
  auto mb = box();
  ASSERT_TRUE(mb);
  EXPECT_EQ(mb->snapshot().uidvalidity, old);
  EXPECT_EQ(uids_of(mb->snapshot()), (std::vector<std::uint32_t>{1, 2, 3}));
}

TEST_F(MailboxTest, KeywordsAndTheirLimit) {
  auto mb = box();
  ASSERT_TRUE(mb);
  const std::vector<std::string> two = {"$Junk", "work"};
  auto bits = mb->keyword_bits(two, true);
  ASSERT_TRUE(bits) << bits.error().message;
  EXPECT_EQ(*bits, 0b11u);
  EXPECT_EQ(mb->keywords(), two);
  const std::vector<std::string> folded = {"$junk", "unknown"};
  EXPECT_EQ(*mb->keyword_bits(folded, false), 0b1u) << "case-insensitive; unknown names add nothing";
  ASSERT_TRUE(mb->append(kMessage, Flags{kSeen, 0b10}, std::nullopt));
  EXPECT_EQ(only_file(root() / "cur"), mb->find(1)->base + ":2,Sb");
  const std::vector<std::string> bad = {"has space"};
  EXPECT_EQ(mb->keyword_bits(bad, true).error().kind, StoreError::Kind::Invalid);

  std::vector<std::string> more;
  for (int i = 2; i < 26; ++i) more.push_back("k" + std::to_string(i));
  ASSERT_TRUE(mb->keyword_bits(more, true));
  EXPECT_EQ(mb->keywords().size(), 26u);
  const std::vector<std::string> extra = {"one-too-many"};
  auto over = mb->keyword_bits(extra, true);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, StoreError::Kind::TooManyKeywords);
  const std::vector<std::string> last = {"k25"};
  const std::uint32_t one[] = {1};
  ASSERT_TRUE(mb->store_flags(one, Mailbox::FlagOp::Add, Flags{0, *mb->keyword_bits(last, false)}));
  EXPECT_EQ(only_file(root() / "cur"), mb->find(1)->base + ":2,Sbz");

  mb.reset();
  restart();
  auto again = box();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->keywords().size(), 26u);
  EXPECT_EQ(again->keywords()[1], "work");
  EXPECT_EQ(again->find(1)->flags.keywords, (1u << 1) | (1u << 25));
}

TEST_F(MailboxTest, CopyKeepsFlagsKeywordsAndDate) {
  auto u = user();
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->create("Archive"));
  auto inbox = *u->open("INBOX");
  auto archive = *u->open("Archive");
  const std::vector<std::string> kw = {"work"};
  const std::uint32_t work = *inbox->keyword_bits(kw, true);
  ASSERT_TRUE(inbox->append(kMessage, Flags{kFlagged, work}, 1'600'000'000));
  ASSERT_TRUE(inbox->append("second\r\n", {}, std::nullopt));
  // An unrelated keyword in Archive first, so "work" gets another letter there.
  const std::vector<std::string> other = {"other"};
  ASSERT_TRUE(archive->keyword_bits(other, true));

  const std::uint32_t uids[] = {1, 999, 2};
  auto copied = inbox->copy_to(*archive, uids);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(*copied, (std::vector<std::uint32_t>{1, 0, 2})) << "one per uid, 0 for the missing one";
  const auto rec = archive->find(1);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->flags.system, kFlagged);
  EXPECT_EQ(archive->keywords(), (std::vector<std::string>{"other", "work"}));
  EXPECT_EQ(rec->flags.keywords, 0b10u);
  EXPECT_EQ(rec->internal_date, 1'600'000'000);
  EXPECT_EQ(*archive->read(1, 1 << 20), kMessage);
  EXPECT_NE(rec->base, inbox->find(1)->base) << "a copy is another message for POP3";
  EXPECT_EQ(inbox->count(), 2u) << "the source keeps its messages";

  auto self = inbox->copy_to(*inbox, std::span<const std::uint32_t>(uids, 1));
  ASSERT_TRUE(self);
  EXPECT_EQ(*self, std::vector<std::uint32_t>{3});
  EXPECT_EQ(inbox->find(3)->flags, inbox->find(1)->flags);

  archive.reset();
  restart();
  auto reopened = box("Archive");
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->count(), 2u);
  EXPECT_EQ(reopened->find(1)->flags.keywords, 0b10u);
}

TEST_F(MailboxTest, ExpungeIsDurable) {
  auto mb = box();
  ASSERT_TRUE(mb);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  const std::uint64_t v0 = mb->version();
  const std::uint32_t uids[] = {1, 1, 42, 3};
  auto removed = mb->expunge(uids);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, (std::vector<std::uint32_t>{1, 3}));
  EXPECT_EQ(uids_of(mb->snapshot()), std::vector<std::uint32_t>{2});
  EXPECT_EQ(names(root() / "cur").size(), 1u);
  std::uint64_t now = 0;
  EXPECT_EQ(*mb->changes_since(v0, &now),
            (std::vector<Change>{{Change::Kind::Expunged, 1}, {Change::Kind::Expunged, 3}}));
  mb.reset();
  restart();
  EXPECT_EQ(uids_of(box()->snapshot()), std::vector<std::uint32_t>{2});
}

TEST_F(MailboxTest, CompactionKeepsUidsAndUidnext) {
  auto mb = box();
  ASSERT_TRUE(mb);
  std::vector<std::uint32_t> doomed;
  for (std::uint32_t i = 1; i <= 100; ++i) {
    ASSERT_TRUE(mb->append("m" + std::to_string(i) + "\r\n", {}, std::nullopt));
    if (i % 10 != 0) doomed.push_back(i);
  }
  ASSERT_TRUE(mb->expunge(doomed));
  const std::string index = slurp(root() / "endhost-uidlist");
  EXPECT_EQ(std::count(index.begin(), index.end(), '\n'), 11) << "rewritten: header and the 10 live records";
  mb.reset();
  restart();
  mb = box();
  const auto s = mb->snapshot();
  EXPECT_EQ(s.uidnext, 101u);
  EXPECT_EQ(uids_of(s), (std::vector<std::uint32_t>{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  EXPECT_EQ(*mb->read(70, 100), "m70\r\n");
}

TEST_F(MailboxTest, ChangesSinceAndJournalOverflow) {
  auto mb = box();
  ASSERT_TRUE(mb);
  const std::uint64_t v0 = mb->version();
  std::uint64_t now = 0;
  EXPECT_EQ(mb->changes_since(v0, &now)->size(), 0u);
  EXPECT_EQ(now, v0);
  std::vector<std::uint32_t> uids;
  for (int i = 0; i < 16; ++i) uids.push_back(*mb->append(kMessage, {}, std::nullopt));
  auto added = mb->changes_since(v0, &now);
  ASSERT_TRUE(added);
  ASSERT_EQ(added->size(), 16u);
  EXPECT_EQ((*added)[0], (Change{Change::Kind::Added, 1}));
  EXPECT_EQ(now, v0 + 16);
  const std::uint64_t v1 = now;
  for (std::size_t round = 0; round * uids.size() <= Mailbox::kJournalEntries; ++round)
    ASSERT_TRUE(
        mb->store_flags(uids, round % 2 ? Mailbox::FlagOp::Remove : Mailbox::FlagOp::Add, {kSeen, 0}));
  EXPECT_FALSE(mb->changes_since(v0, &now)) << "the journal no longer reaches back: snapshot instead";
  EXPECT_FALSE(mb->changes_since(v1, &now));
  auto recent = mb->changes_since(now - 3, &now);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[2].kind, Change::Kind::FlagsChanged);
  EXPECT_EQ(mb->snapshot().version, now);
}

TEST_F(MailboxTest, ThePop3LockIsExclusiveAcrossStores) {
  auto mb = box();
  ASSERT_TRUE(mb);
  EXPECT_TRUE(mb->try_lock_exclusive());
  EXPECT_FALSE(mb->try_lock_exclusive()) << "a second session of this process";
  // Another Store over the same directory stands in for another process: the flock refuses it.
  Store other(base_ / "users", kMaxMessage, "other.host");
  auto theirs = *(*other.user("bob"))->open("INBOX");
  EXPECT_FALSE(theirs->try_lock_exclusive());
  mb->unlock_exclusive();
  EXPECT_TRUE(theirs->try_lock_exclusive());
  EXPECT_FALSE(mb->try_lock_exclusive());
  theirs->unlock_exclusive();
  EXPECT_TRUE(mb->try_lock_exclusive());
  mb->unlock_exclusive();
}

TEST_F(MailboxTest, RecentGoesToTheFirstSessionOnly) {
  maildir::Writer writer("mx");
  const std::string body = "x\r\n";
  const std::vector<std::string_view> parts = {body};
  ASSERT_TRUE(maildir::ensure(root()));
  ASSERT_TRUE(writer.deliver(root(), parts));
  ASSERT_TRUE(writer.deliver(root(), parts));
  auto mb = box();
  ASSERT_TRUE(mb);
  const std::uint32_t next = mb->snapshot().uidnext;
  EXPECT_EQ(next, 3u);
  EXPECT_EQ(mb->take_recent(next), 1u) << "the first session: UIDs 1 and 2 are \\Recent";
  EXPECT_EQ(mb->take_recent(next), 3u) << "the second: none";
  ASSERT_TRUE(writer.deliver(root(), parts));
  ASSERT_TRUE(mb->refresh());
  EXPECT_EQ(mb->take_recent(mb->snapshot().uidnext), 3u) << "UID 3 is recent for whoever looks first";
  EXPECT_EQ(mb->take_recent(mb->snapshot().uidnext), 4u);
}

TEST_F(MailboxTest, ConcurrentAppendsGetDistinctUids) {
  auto mb = box();
  ASSERT_TRUE(mb);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::vector<std::uint32_t>> got(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto uid = mb->append("t" + std::to_string(t) + " " + std::to_string(i) + "\r\n", {}, std::nullopt);
        if (uid) {
          got[t].push_back(*uid);
        } else {
          ++failures;
        }
        if (i % 5 == 0) (void)mb->refresh();
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::uint32_t> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<std::uint32_t>(kThreads * kEach));
  mb.reset();
  restart();
  Mailbox::OpenReport report;
  auto again = box("INBOX", &report);
  EXPECT_FALSE(report.rebuilt) << report.why;
  EXPECT_EQ(again->count(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*again->read(got[2][7], 100), "t2 7\r\n");
}

TEST_F(MailboxTest, ListenersHearChangesAndDeliveries) {
  auto mb = box();
  ASSERT_TRUE(mb);
  std::atomic<int> calls{0};
  const auto id = mb->subscribe([&] { ++calls; });
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  EXPECT_EQ(calls.load(), 1);
  maildir::Writer writer("mx");
  const std::string body = "x\r\n";
  const std::vector<std::string_view> parts = {body};
  ASSERT_TRUE(writer.deliver(root(), parts));
  store_->delivered("bob");
  EXPECT_EQ(calls.load(), 2) << "Store::delivered refreshes the open INBOX";
  EXPECT_EQ(mb->count(), 2u);
  store_->delivered("nobody");  // no such user open: nothing happens
  mb->unsubscribe(id);
  ASSERT_TRUE(mb->append(kMessage, {}, std::nullopt));
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(MailboxTest, OneObjectPerFolder) {
  auto a = box();
  auto b = box("inbox");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(a->name(), "INBOX");
}

}  // namespace
}  // namespace endhost::mail::store
