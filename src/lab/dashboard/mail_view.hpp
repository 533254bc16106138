// What the dashboard shows of each lab mail server (GET /api/mail): its queue (every waiting message with its
// recipients, last error and next try, read from STATE/mail/<host>/queue as `endhost mail queue` reads it),
// its recent local deliveries (the newest messages in its users' Maildirs, with From, To and Subject), and
// whether its switch is on (POST /api/switch turns it off and on: Bob's server down and back).
#pragma once

#include <boost/json.hpp>
#include <string>

namespace endhost::lab {

class ServerSwitch;

struct MailView {
  std::string host;               // mail.crepes.fr
  std::string mail_dir;           // STATE/mail/<host>
  ServerSwitch* power = nullptr;  // null: the server has no switch (always up)
};

// How many recent deliveries the view lists per server.
inline constexpr std::size_t kRecentDeliveries = 10;

// The view of one server; reads files only (safe while the server runs: the queue's and the Maildirs'
// files appear by rename, whole).
boost::json::object mail_view_json(const MailView& view);

// The newest messages in `mail_dir`/users/*/{new,cur}, newest first, at most `limit`: user, file, size,
// mtime_ms, and the From, To, Subject and DKIM/Authentication-Results headers' first lines.
boost::json::array recent_deliveries(const std::string& mail_dir, std::size_t limit);

// The queue of `mail_dir` (its queue/), oldest first: id, size, arrival_ms, sender, and per recipient the
// address, last error and next try (ms since the epoch). An error text instead when the queue cannot be
// read.
boost::json::value queue_json(const std::string& mail_dir);

}  // namespace endhost::lab
