// `endhost mail queue [--mail-dir DIR]`: the queue as Postfix's mailq shows it (id, size, arrival, sender,
// then each waiting recipient with its last error and next try); `queue flush [ID]` makes mails due now and
// tells the running server (its relay watches DIR/queue/.flush); `queue delete ID` removes a mail. All three
// work beside a running `mail serve`: they go through QueueStore, which locks and re-reads the files.
// docs/internals/mail-queue.md.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/service_commands.hpp"
#include "mail/queue/queue_store.hpp"

namespace endhost::cli {

namespace {

struct QueueArgs {
  std::string mail_dir;
  std::string id;
};

mail::queue::QueueStore open_store(const QueueArgs& a) {
  if (a.mail_dir.empty()) throw UsageError("--mail-dir is required (the directory `mail serve` was given)");
  // Opening creates what is missing, which for a mistyped directory would make an empty queue and say so.
  const std::filesystem::path queue_dir = std::filesystem::path(a.mail_dir) / "queue";
  std::error_code ec;
  if (!std::filesystem::is_directory(queue_dir, ec)) {
    throw UsageError("--mail-dir " + a.mail_dir + " holds no mail queue (no " + queue_dir.string() +
                     "): give the directory `mail serve --mail-dir` was started with");
  }
  auto store = mail::queue::QueueStore::open(queue_dir);
  if (!store) throw RuntimeError(store.error());
  return std::move(*store);
}

// "Wed Dec  2 17:05:00", mailq's arrival column (local time, as Postfix).
std::string arrival_text(core::WallTime t) {
  const std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S", &tm);
  return buf;
}

std::string duration_text(std::chrono::seconds s) {
  if (s.count() <= 0) return "now";
  const long v = static_cast<long>(s.count());
  char buf[32];
  if (v < 60)
    std::snprintf(buf, sizeof buf, "%lds", v);
  else if (v < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", v / 60, v % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", v / 3600, (v / 60) % 60);
  return buf;
}

int list_queue(const QueueArgs& a) {
  auto store = open_store(a);
  const auto entries = store.list();
  if (entries.empty()) {
    std::cout << "Mail queue is empty\n";
    return 0;
  }
  const core::WallTime now = store.clock().wall_now();
  std::cout << "-Queue ID-        --Size-- ----Arrival Time---- -Sender/Recipient-------\n";
  std::uint64_t bytes = 0;
  for (const auto& e : entries) {
    bytes += e.size;
    char head[128];
    std::snprintf(head, sizeof head, "%-17s %8llu %-20s  ", e.id.c_str(),
                  static_cast<unsigned long long>(e.size), arrival_text(e.arrival).c_str());
    std::cout << head << (e.sender.empty() ? "MAILER-DAEMON" : e.sender) << "\n";
    for (const auto& r : e.recipients) {
      if (r.state == mail::queue::RecipientState::Delivered) continue;
      if (!r.last_error.empty()) std::cout << "                        (" << r.last_error << ")\n";
      std::cout << "                                         " << r.address;
      if (r.state == mail::queue::RecipientState::Failed) {
        std::cout << "  [failed " << r.status << ", bounce pending]";
      } else {
        std::cout << "  [attempts " << r.attempts << ", next try " << duration_text(r.next_try - now) << "]";
      }
      std::cout << "\n";
    }
    std::cout << "\n";
  }
  std::cout << "-- " << (bytes + 1023) / 1024 << " Kbytes in " << entries.size()
            << (entries.size() == 1 ? " Request.\n" : " Requests.\n");
  return 0;
}

int flush_queue(const QueueArgs& a) {
  auto store = open_store(a);
  if (!a.id.empty() && !mail::queue::valid_queue_id(a.id)) throw UsageError("not a queue id: " + a.id);
  if (auto r = store.flush(a.id); !r) throw RuntimeError(r.error());
  std::cout << (a.id.empty() ? std::string("every mail") : a.id) << " is due now\n";
  return 0;
}

int delete_queued(const QueueArgs& a) {
  auto store = open_store(a);
  if (!mail::queue::valid_queue_id(a.id)) throw UsageError("not a queue id: " + a.id);
  if (auto r = store.remove(a.id); !r) throw RuntimeError(r.error());
  std::cout << a.id << ": removed\n";
  return 0;
}

}  // namespace

void add_mail_queue_commands(CLI::App& root, RunFn& run) {
  auto* mail = &service_command(root, "mail", "E-mail: an SMTP server with a queue, and a client");
  auto a = std::make_shared<QueueArgs>();
  auto* queue = mail->add_subcommand("queue", "List the mail queue (like mailq), or flush or delete a mail");
  queue->add_option("--mail-dir", a->mail_dir, "The mail directory of `mail serve` (its queue is DIR/queue)")
      ->type_name("DIR");
  auto* flush = queue->add_subcommand("flush", "Try the queued mail now (every mail, or only ID)");
  flush->add_option("--mail-dir", a->mail_dir, "The mail directory of `mail serve`")->type_name("DIR");
  flush->add_option("id", a->id, "The queue id (as `mail queue` lists it)")->type_name("ID");
  auto* del = queue->add_subcommand("delete", "Remove a mail from the queue without delivering it");
  del->add_option("--mail-dir", a->mail_dir, "The mail directory of `mail serve`")->type_name("DIR");
  del->add_option("id", a->id, "The queue id")->required()->type_name("ID");
  queue->footer(
      "Examples:\n"
      "  endhost mail queue --mail-dir /var/mail/crepes\n"
      "  endhost mail queue --mail-dir /var/mail/crepes flush\n"
      "  endhost mail queue --mail-dir /var/mail/crepes delete 656A1B2C0A1B2C3D");
  flush->callback([a, &run] { run = [a] { return flush_queue(*a); }; });
  del->callback([a, &run] { run = [a] { return delete_queued(*a); }; });
  queue->callback([a, &run, flush, del] {
    if (flush->parsed() || del->parsed()) return;
    run = [a] { return list_queue(*a); };
  });
}

}  // namespace endhost::cli
