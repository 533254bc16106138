// The durable store on a real directory: what is enqueued is listed after reopening, ids are unique under
// concurrent enqueues, remove and flush act on the files (as another process's store sees), a bounce
// queued twice under its fixed id is queued once, and what a crash can leave behind (a message without
// envelope, an envelope without message, a temporary) is cleaned up when old enough, never while young.
#include "mail/queue/queue_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

namespace endhost::mail::queue {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class QueueStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/endhost-queue-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ / "queue";
  }
  void TearDown() override { fs::remove_all(root_); }

  QueueStore open() {
    auto s = QueueStore::open(dir_, &clock_);
    EXPECT_TRUE(s) << (s ? "" : s.error());
    return std::move(*s);
  }
  static void write(const fs::path& p, std::string_view text) { std::ofstream(p) << text; }
  static void age(const fs::path& p) { fs::last_write_time(p, fs::file_time_type::clock::now() - 2h); }

  fs::path root_, dir_;
  core::ManualClock clock_;
};

QueuedEnvelope envelope() {
  QueuedEnvelope e;
  e.sender = "alice@crepes.fr";
  e.recipients = {"bob@hamburger.edu", "carol@hamburger.edu"};
  e.eight_bit = true;
  return e;
}

TEST_F(QueueStoreTest, EnqueuedMailSurvivesReopening) {
  std::string id;
  {
    auto store = open();
    auto r = store.enqueue(envelope(), "Subject: hi\r\n\r\nbody\r\n");
    ASSERT_TRUE(r) << r.error();
    id = *r;
    EXPECT_TRUE(valid_queue_id(id));
    EXPECT_EQ(store.take_new(), std::vector<std::string>{id});
    EXPECT_TRUE(store.take_new().empty());
  }
  auto store = open();
  const auto all = store.list();
  ASSERT_EQ(all.size(), 1u);
  const QueueEntry& e = all[0];
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.sender, "alice@crepes.fr");
  EXPECT_EQ(e.size, 21u);
  EXPECT_TRUE(e.eight_bit);
  EXPECT_EQ(e.arrival, clock_.wall_now());
  ASSERT_EQ(e.recipients.size(), 2u);
  EXPECT_EQ(e.recipients[1].address, "carol@hamburger.edu");
  EXPECT_EQ(e.recipients[0].state, RecipientState::Pending);
  EXPECT_EQ(e.next_try(), clock_.wall_now());
  auto m = store.message(id);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "Subject: hi\r\n\r\nbody\r\n");
  // Private: the queue and its files are the owner's alone.
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / (id + ".msg")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(QueueStoreTest, RefusesAMailWithoutRecipients) {
  auto store = open();
  QueuedEnvelope e = envelope();
  e.recipients.clear();
  EXPECT_FALSE(store.enqueue(e, "x\r\n"));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(QueueStoreTest, IdsAreUniqueUnderConcurrentEnqueues) {
  auto store = open();
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> ids;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = store.enqueue(envelope(), "x\r\n");
        ASSERT_TRUE(r);
        std::lock_guard g(mu);
        ids.insert(*r);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(store.list().size(), 100u);
}

TEST_F(QueueStoreTest, UpdateRewritesTheStateAndSeesRemovals) {
  auto store = open();
  const std::string id = *store.enqueue(envelope(), "x\r\n");
  auto r = store.update(id, [](QueueEntry& e) {
    e.recipients[0].state = RecipientState::Delivered;
    e.recipients[1].attempts = 1;
    e.recipients[1].last_error = "451 4.3.0 try later";
  });
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  auto other = open();  // another process's view
  auto e = other.get(id);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->recipients[0].state, RecipientState::Delivered);
  EXPECT_EQ(e->recipients[1].last_error, "451 4.3.0 try later");
  ASSERT_TRUE(other.remove(id));
  EXPECT_FALSE(fs::exists(dir_ / (id + ".msg")));
  auto gone = store.update(id, [](QueueEntry&) { ADD_FAILURE() << "called for a removed mail"; });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_FALSE(store.remove(id));
  EXPECT_FALSE(store.remove("../../etc"));
}

TEST_F(QueueStoreTest, FlushMakesPendingRecipientsDueAndTouchesTheStamp) {
  auto store = open();
  const std::string id = *store.enqueue(envelope(), "x\r\n");
  const auto later = clock_.wall_now() + 3000s;
  ASSERT_TRUE(store.update(id, [&](QueueEntry& e) {
    e.recipients[0].next_try = later;
    e.recipients[1].state = RecipientState::Delivered;
    e.recipients[1].next_try = later;
  }));
  EXPECT_EQ(store.flush_stamp(), 0);
  clock_.advance(60s);
  ASSERT_TRUE(store.flush(id));
  auto e = store.get(id);
  EXPECT_EQ(e->recipients[0].next_try, clock_.wall_now());
  EXPECT_EQ(e->recipients[1].next_try, later);  // delivered: untouched
  EXPECT_NE(store.flush_stamp(), 0);
  EXPECT_TRUE(store.flush(""));
  EXPECT_FALSE(store.flush("0123456789ABCDEF"));
}

TEST_F(QueueStoreTest, AWholeQueueFlushRewritesOnlyWhatWaitsInBatches) {
  auto store = open();
  const auto later = clock_.wall_now() + 3000s;
  std::vector<std::string> waiting;
  for (int i = 0; i < 300; ++i) {  // more than one batch of temporaries
    waiting.push_back(*store.enqueue(envelope(), "x\r\n"));
    ASSERT_TRUE(store.update(waiting.back(), [&](QueueEntry& e) {
      for (auto& r : e.recipients) r.next_try = later;
    }));
  }
  const std::string due = *store.enqueue(envelope(), "y\r\n");  // due already
  struct stat before {};
  ASSERT_EQ(::stat((dir_ / (due + ".env")).c_str(), &before), 0);
  clock_.advance(60s);
  ASSERT_TRUE(store.flush(""));
  for (const auto& id : waiting) {
    const auto e = store.get(id);
    ASSERT_TRUE(e) << id;
    for (const auto& r : e->recipients) EXPECT_EQ(r.next_try, clock_.wall_now()) << id;
  }
  struct stat after {};
  ASSERT_EQ(::stat((dir_ / (due + ".env")).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // not rewritten
  EXPECT_EQ(store.list().size(), 301u);
  // No temporary is left behind: envelopes, messages, the lock and the stamp only.
  for (const auto& de : fs::directory_iterator(dir_)) {
    const std::string name = de.path().filename().string();
    const bool known = name == ".lock" || name == ".flush" ||
                       (!name.starts_with(".") && (name.ends_with(".env") || name.ends_with(".msg")));
    EXPECT_TRUE(known) << name;
  }
}

TEST_F(QueueStoreTest, ABounceUnderItsFixedIdIsQueuedOnce) {
  auto store = open();
  QueuedEnvelope b;
  b.recipients = {"alice@crepes.fr"};
  auto first = store.enqueue_with_id("0123456789ABCDEFB", b, "bounce\r\n", clock_.wall_now());
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto second = store.enqueue_with_id("0123456789ABCDEFB", b, "bounce again\r\n", clock_.wall_now());
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(*store.message("0123456789ABCDEFB"), "bounce\r\n");
  EXPECT_EQ(store.list().size(), 1u);
}

TEST_F(QueueStoreTest, OpenCleansWhatACrashLeft) {
  { auto store = open(); }
  const std::string young_msg = "0123456789ABC001", old_msg = "0123456789ABC002",
                    lone_env = "0123456789ABC003";
  write(dir_ / (young_msg + ".msg"), "being written\r\n");
  write(dir_ / (old_msg + ".msg"), "half enqueued\r\n");
  age(dir_ / (old_msg + ".msg"));
  QueueEntry e;
  e.id = lone_env;
  e.recipients.push_back({});
  e.recipients[0].address = "x@y";
  write(dir_ / (lone_env + ".env"), encode_entry(e));
  write(dir_ / ".0123.msg.endhost-abc", "temp");
  age(dir_ / ".0123.msg.endhost-abc");
  write(dir_ / ".0124.msg.endhost-abc", "young temp");
  auto store = open();
  EXPECT_TRUE(fs::exists(dir_ / (young_msg + ".msg")));  // a live enqueue may be writing it
  EXPECT_FALSE(fs::exists(dir_ / (old_msg + ".msg")));
  EXPECT_FALSE(fs::exists(dir_ / (lone_env + ".env")));
  EXPECT_FALSE(fs::exists(dir_ / ".0123.msg.endhost-abc"));
  EXPECT_TRUE(fs::exists(dir_ / ".0124.msg.endhost-abc"));
  EXPECT_TRUE(store.list().empty());
}

TEST_F(QueueStoreTest, ADamagedEnvelopeIsNotListed) {
  auto store = open();
  const std::string id = *store.enqueue(envelope(), "x\r\n");
  write(dir_ / (id + ".env"), "endhost-queue 1\nid " + id + "\n");  // cut
  EXPECT_TRUE(store.list().empty());
  EXPECT_FALSE(store.get(id));
}

}  // namespace
}  // namespace endhost::mail::queue
