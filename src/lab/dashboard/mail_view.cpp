#include "lab/dashboard/mail_view.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>
#include <vector>

#include "lab/server_switch.hpp"
#include "mail/queue/queue_store.hpp"

namespace endhost::lab {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// The file's modification time in ms since the epoch (stat(2): file_time_type has no portable epoch in
// GCC 12's library); nullopt when it is gone.
std::optional<std::int64_t> mtime_unix_ms(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// The first line of each header the view shows (RFC 5322 §2.2: a header ends at the first line that does
// not start with white space; only its first line is kept), from the message's head.
json::object headers_of(const fs::path& file) {
  static constexpr std::size_t kHeadBytes = 16384;
  std::ifstream in(file, std::ios::binary);
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  json::object out;
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t end = head.find('\n', pos);
    if (end == std::string::npos) break;
    std::string_view line(head.data() + pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the header section
    if (line.front() == ' ' || line.front() == '\t') continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::string key;
    for (const char* want : {"From", "To", "Subject", "Authentication-Results", "DKIM-Signature"}) {
      if (iequals(name, want)) key = want;
    }
    if (key.empty() || out.contains(key)) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out[key] = std::string(value.substr(0, 300));
  }
  return out;
}

std::int64_t wall_ms(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

json::object entry_json(const mail::queue::QueueEntry& e) {
  json::array recipients;
  for (const auto& r : e.recipients) {
    recipients.push_back(json::object{{"address", r.address},
                                      {"state", mail::queue::to_string(r.state)},
                                      {"attempts", r.attempts},
                                      {"last_error", r.last_error},
                                      {"status", r.status},
                                      {"remote", r.remote},
                                      {"next_try_ms", wall_ms(r.next_try)}});
  }
  return json::object{{"id", e.id},         {"size", e.size},      {"arrival_ms", wall_ms(e.arrival)},
                      {"sender", e.sender}, {"bounce", e.bounced}, {"recipients", std::move(recipients)}};
}

}  // namespace

json::array recent_deliveries(const std::string& mail_dir, std::size_t limit) {
  struct Found {
    std::int64_t mtime_ms;
    std::string user;
    fs::path path;
    std::uintmax_t size;
  };
  std::vector<Found> found;
  std::error_code ec;
  for (const auto& user : fs::directory_iterator(fs::path(mail_dir) / "users", ec)) {
    for (const char* sub : {"new", "cur"}) {
      std::error_code sub_ec;
      for (const auto& f : fs::directory_iterator(user.path() / sub, sub_ec)) {
        std::error_code fec;
        if (!f.is_regular_file(fec)) continue;
        const auto mtime = mtime_unix_ms(f.path());
        if (!mtime) continue;
        found.push_back({*mtime, user.path().filename().string(), f.path(), f.file_size(fec)});
      }
    }
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.mtime_ms, a.path) > std::tie(b.mtime_ms, b.path);
  });
  if (found.size() > limit) found.resize(limit);
  json::array out;
  for (const Found& f : found) {
    out.push_back(json::object{{"user", f.user},
                               {"file", f.path.filename().string()},
                               {"size", f.size},
                               {"mtime_ms", f.mtime_ms},
                               {"headers", headers_of(f.path)}});
  }
  return out;
}

json::value queue_json(const std::string& mail_dir) {
  auto store = mail::queue::QueueStore::open(fs::path(mail_dir) / "queue");
  if (!store) return json::value(json::string("cannot read the queue: " + store.error()));
  json::array out;
  for (const auto& e : store->list()) out.push_back(entry_json(e));
  return out;
}

json::object mail_view_json(const MailView& view) {
  return json::object{{"host", view.host},
                      {"up", view.power ? view.power->on() : true},
                      {"queue", queue_json(view.mail_dir)},
                      {"recent", recent_deliveries(view.mail_dir, kRecentDeliveries)}};
}

}  // namespace endhost::lab
