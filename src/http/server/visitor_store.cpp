#include "http/server/visitor_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/system_random.hpp"

namespace endhost::web {

namespace {

// 128 bits from the kernel's CSPRNG: a session id must not be guessable from others seen.
void random_id(char (&out)[33]) {
  core::SystemRandom random;
  const std::string hex = random.hex(16);
  std::memcpy(out, hex.data(), 32);
  out[32] = '\0';
}

}  // namespace

VisitorStore::~VisitorStore() {
  sqlite3_finalize(update_);
  sqlite3_finalize(insert_);
  sqlite3_finalize(evict_);
  sqlite3_close(db_);
}

Expected<std::unique_ptr<VisitorStore>, std::string> VisitorStore::open(const std::string& dir,
                                                                        std::uint64_t max_visitors) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Unexpected("--state " + dir + ": cannot create the directory: " + std::strerror(errno));
  const std::string path = dir + "/visitors.sqlite3";
  std::unique_ptr<VisitorStore> s(new VisitorStore());
  s->max_visitors_ = max_visitors;
  // NOMUTEX: the store is confined to one thread, so SQLite's own locking would only cost time.
  if (sqlite3_open_v2(path.c_str(), &s->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return Unexpected("--state " + dir + ": cannot open " + path + ": " +
                      (s->db_ ? sqlite3_errmsg(s->db_) : "out of memory"));
  }
  sqlite3_busy_timeout(s->db_, 5000);
  char* err = nullptr;
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS visitors ("
      "  id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, visits INTEGER NOT "
      "NULL"
      ") WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS visitors_by_last_seen ON visitors(last_seen);";
  if (sqlite3_exec(s->db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "--state " + dir + ": cannot set up " + path + ": " + (err ? err : "unknown error");
    sqlite3_free(err);
    return Unexpected(msg);
  }
  sqlite3_stmt* count = nullptr;
  if (sqlite3_prepare_v2(s->db_, "SELECT count(*) FROM visitors", -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW) {
    s->rows_ = static_cast<std::uint64_t>(sqlite3_column_int64(count, 0));
  }
  sqlite3_finalize(count);
  if (!s->prepare()) return Unexpected("--state " + dir + ": " + sqlite3_errmsg(s->db_));
  return s;
}

bool VisitorStore::prepare() {
  return sqlite3_prepare_v2(
             db_, "UPDATE visitors SET visits = visits + 1, last_seen = ?2 WHERE id = ?1 RETURNING visits",
             -1, &update_, nullptr) == SQLITE_OK &&
         sqlite3_prepare_v2(db_,
                            "INSERT INTO visitors (id, first_seen, last_seen, visits) VALUES (?1, ?2, ?2, 1)",
                            -1, &insert_, nullptr) == SQLITE_OK &&
         sqlite3_prepare_v2(db_,
                            "DELETE FROM visitors WHERE id IN "
                            "(SELECT id FROM visitors ORDER BY last_seen LIMIT ?1)",
                            -1, &evict_, nullptr) == SQLITE_OK;
}

Visit VisitorStore::touch(const char* id, std::time_t now) {
  Visit v;
  if (id != nullptr && id[0] != '\0') {
    sqlite3_reset(update_);
    sqlite3_bind_text(update_, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(update_, 2, now);
    const int rc = sqlite3_step(update_);
    if (rc == SQLITE_ROW) {
      std::memcpy(v.id, id, 32);
      v.visits = sqlite3_column_int64(update_, 0);
      v.ok = true;
      // Step to the end so the statement (and its implicit transaction) finishes now.
      sqlite3_step(update_);
      sqlite3_reset(update_);
      return v;
    }
    sqlite3_reset(update_);
    if (rc != SQLITE_DONE) return v;  // a database error: no session for this request
  }
  // Unknown or no id: a new visitor. A collision of 128 random bits is not a practical concern, but the
  // primary key would refuse one anyway (and the request would go without a session).
  random_id(v.id);
  if (rows_ >= max_visitors_) forget_oldest();
  sqlite3_reset(insert_);
  sqlite3_bind_text(insert_, 1, v.id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert_, 2, now);
  const int rc = sqlite3_step(insert_);
  sqlite3_reset(insert_);
  if (rc != SQLITE_DONE) return v;
  ++rows_;
  v.visits = 1;
  v.is_new = true;
  v.ok = true;
  return v;
}

void VisitorStore::forget_oldest() {
  // Make room for about 1% more, so eviction does not run on every new visitor.
  const std::uint64_t extra = max_visitors_ / 100 + 1;
  const std::uint64_t drop = rows_ >= max_visitors_ ? rows_ - max_visitors_ + extra : 0;
  sqlite3_reset(evict_);
  sqlite3_bind_int64(evict_, 1, static_cast<sqlite3_int64>(drop));
  if (sqlite3_step(evict_) == SQLITE_DONE) {
    const auto removed = static_cast<std::uint64_t>(sqlite3_changes(db_));
    rows_ = rows_ > removed ? rows_ - removed : 0;
  }
  sqlite3_reset(evict_);
}

}  // namespace endhost::web
