// The back-end database of `--sessions` (the textbook's cookie example): one SQLite table of visitors —
// id, first and last visit, visit count — in DIR/visitors.sqlite3. It is used from one thread only (the
// store's own), since every call blocks on the disk; the event loops reach it through a core::BlockingPool.
//
// Durability: WAL with synchronous=FULL, so a counted visit survives a crash before its response is sent.
// Growth is bounded: past max_visitors rows, the least recently seen are forgotten.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "core/expected.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace endhost::web {

struct Visit {
  char id[33] = {};  // NUL-terminated; fixed storage so a Visit crosses threads by plain copy
  std::int64_t visits = 0;
  bool is_new = false;  // a new visitor: the response sets the cookie
  bool ok = false;      // false: the database failed (the request is answered without a session)
};

class VisitorStore {
 public:
  ~VisitorStore();
  VisitorStore(const VisitorStore&) = delete;
  VisitorStore& operator=(const VisitorStore&) = delete;

  // Opens (creating if needed) DIR/visitors.sqlite3. The error is a sentence for a human.
  static Expected<std::unique_ptr<VisitorStore>, std::string> open(const std::string& dir,
                                                                   std::uint64_t max_visitors);

  // Counts a visit by `id` (32 hex digits) if it is known; otherwise creates a visitor with a fresh random
  // id. Blocking; call on the store's thread only.
  Visit touch(const char* id, std::time_t now);

  std::uint64_t size() const noexcept { return rows_; }

 private:
  VisitorStore() = default;
  bool prepare();
  void forget_oldest();

  sqlite3* db_ = nullptr;
  sqlite3_stmt* update_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* evict_ = nullptr;
  std::uint64_t rows_ = 0;
  std::uint64_t max_visitors_ = 0;
};

}  // namespace endhost::web
