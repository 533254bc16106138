// Maildir delivery (the layout of qmail's maildir(5), as Dovecot and Postfix's virtual(8) write it): a
// message appears in `new/` whole and durable or not at all. It is written under its final name in `tmp/`,
// fsynced, renamed into `new/` (never replacing a file: RENAME_NOREPLACE), and `new/` is fsynced, so that the
// 250 the SMTP server sends afterwards is a promise a power cut keeps. A kill -9 before the rename leaves at
// most a file in `tmp/`, which no reader looks at (Dovecot removes tmp/ files older than 36 hours).
//
// Names: `<unix-secs>.M<micros>P<pid>Q<counter>.<hostname>,S=<size>` (Dovecot's; S= lets POP3 and IMAP
// servers skip a stat). The counter is per process and atomic, so two threads delivering in the same
// microsecond get two names. Everything here blocks (fsync): call deliver() from a core::BlockingPool.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::mail::maildir {

// Why a delivery failed. `no_space` (ENOSPC, EDQUOT) is SMTP's 452 4.3.1; anything else is 451 4.3.0.
struct DeliveryError {
  int code = 0;  // errno
  bool no_space = false;
  std::string message;  // one line naming the step and the file
};

// The `.<hostname>` part of a name: '/' and ':' are written \057 and \072 (maildir(5), Dovecot), since '/'
// cannot be in a file name and ':' starts the info part (`:2,S`).
std::string safe_hostname(std::string_view hostname);

// `<secs>.M<micros>P<pid>Q<counter>.<host>,S=<size>` for a message of `size` bytes written at `when`.
std::string message_name(std::chrono::system_clock::time_point when, long pid, std::uint64_t counter,
                         std::string_view safe_host, std::uint64_t size);
std::string message_name(std::chrono::system_clock::time_point when, long pid, std::string_view counter,
                         std::string_view safe_host, std::uint64_t size);

// Makes `maildir` and its tmp/, new/ and cur/ (mode 0700) where missing; existing ones are left as they are.
Expected<void, std::string> ensure(const std::filesystem::path& maildir);

class Writer {
 public:
  // `hostname` names the files (the machine's name, as Dovecot uses; empty: gethostname()).
  explicit Writer(std::string hostname = {});

  // Writes the concatenation of `parts` (trace headers first, then the message) as one new message of
  // `maildir` (which must exist: ensure()), durably, and returns its path under new/. Blocks. Thread-safe.
  Expected<std::filesystem::path, DeliveryError> deliver(const std::filesystem::path& maildir,
                                                         std::span<const std::string_view> parts);
  Expected<std::filesystem::path, DeliveryError> deliver(const std::filesystem::path& maildir,
                                                         std::span<const std::string_view> parts,
                                                         std::chrono::system_clock::time_point when);

  // The same with `tag` in place of the counter (`Q<tag>`): a name the caller can find again, for a delivery
  // that must happen once (the queue's retries). `tag` must not contain '/', '.', ':' or ','.
  Expected<std::filesystem::path, DeliveryError> deliver_tagged(const std::filesystem::path& maildir,
                                                                std::span<const std::string_view> parts,
                                                                std::string_view tag);

  const std::string& host() const { return host_; }

 private:
  Expected<std::filesystem::path, DeliveryError> write(const std::filesystem::path& maildir,
                                                       std::span<const std::string_view> parts,
                                                       const std::string& name);
  std::string host_;  // safe_hostname()
  long pid_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace endhost::mail::maildir
