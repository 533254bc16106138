// What the queue knows about one mail: its envelope and every recipient's delivery state, and the text
// form of that state in DIR/queue/env/<id> (docs/internals/mail-queue.md). Sans-I/O: the store reads and
// writes the files, the relay's schedule (schedule.hpp) edits the entries.
#pragma once

#include <chrono>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/expected.hpp"

namespace endhost::mail::queue {

struct QueuedEnvelope {
  std::string sender;  // "" for <> (a bounce: never bounced itself)
  std::vector<std::string> recipients;
  bool smtputf8 = false;
  bool eight_bit = false;
};

enum class RecipientState {
  Pending,    // not delivered yet: tried at next_try
  Delivered,  // the next hop said 250 (or local delivery wrote it)
  Failed,     // permanent failure or lifetime over: in the bounce
};

const char* to_string(RecipientState state);

struct RecipientStatus {
  std::string address;
  RecipientState state = RecipientState::Pending;
  std::uint32_t attempts = 0;
  core::WallTime next_try{};  // the epoch: at once
  std::string last_error;     // "connect to mx.hamburger.edu[127.0.0.3]:25: Connection refused", or the reply
  std::string status;         // enhanced status code of the last result ("4.4.1", "5.1.1"), "" before any
  std::string remote;         // the peer that gave it ("mx.hamburger.edu[127.0.0.3]:25"), or ""
  friend bool operator==(const RecipientStatus&, const RecipientStatus&) = default;
};

struct QueueEntry {
  std::string id;
  std::uint64_t size = 0;  // of the message
  core::WallTime arrival{};
  std::string sender;
  std::vector<RecipientStatus> recipients;
  bool smtputf8 = false;
  bool eight_bit = false;
  // The bounce for the Failed recipients has been queued (so a restart does not queue it again).
  bool bounced = false;

  // The earliest next_try of the Pending recipients, if any.
  std::optional<core::WallTime> next_try() const;
  bool finished() const;  // no recipient is Pending
  friend bool operator==(const QueueEntry&, const QueueEntry&) = default;
};

// Whether `id` has the shape of a queue id (hex digits, optionally with the bounce suffix "B"): the CLI
// and the store refuse anything else, so an id is never a path.
bool valid_queue_id(std::string_view id);

// A new queue id, 16 upper-case hex digits: 8 of seconds and 5 of microseconds since the epoch (so ids sort
// by arrival), then 3 of `tail` (a counter mixed with randomness, which tells apart ids made in the same
// microsecond by one process or by two). The server gives it to a transaction before it is queued, so the
// Received: field, the queue and the 250 reply name the mail alike.
std::string format_queue_id(std::chrono::microseconds since_epoch, std::uint32_t tail);

// The envelope file: a versioned line format, one field per line, values percent-encoded so that any
// address (quoted local parts with spaces) and any error text round-trip:
//   endhost-queue 1
//   id 0123456789ABCDEF
//   arrival 1700000000
//   size 1234
//   sender alice@crepes.fr
//   flags smtputf8 eight_bit bounced
//   rcpt pending 2 1700000300 4.4.1 mx.hamburger.edu[127.0.0.3]:25 connect%20refused bob@hamburger.edu
std::string encode_entry(const QueueEntry& entry);
Expected<QueueEntry, std::string> decode_entry(std::string_view text);

}  // namespace endhost::mail::queue
