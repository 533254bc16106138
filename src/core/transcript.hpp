// The transcript facility: every server can show its conversation the way the textbook prints it
// (`C: HELO crepes.fr` / `S: 250 Hello crepes.fr`), with the time and the peer. Services write through a
// Transcript handle; where the lines go is a TranscriptSink: a stream for `--trace`, a ring buffer for the
// lab.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::core {

enum class Speaker { Client, Server, Note };

// One line of a conversation. Views borrow the caller's data for the duration of TranscriptSink::record.
struct TranscriptEntry {
  std::int64_t unix_micros = 0;
  std::string_view service;
  std::string_view peer;
  Speaker who = Speaker::Note;
  std::string_view text;  // one line, without its line ending
};

// A stored copy of an entry (the ring buffer keeps these).
struct TranscriptRecord {
  std::uint64_t seq = 0;  // increases by one per record, so readers can ask for "everything after N"
  std::int64_t unix_micros = 0;
  std::string service;
  std::string peer;
  Speaker who = Speaker::Note;
  std::string text;
};

// Where transcript lines go. record() may be called from any event-loop thread at once.
class TranscriptSink {
 public:
  virtual ~TranscriptSink() = default;
  virtual void record(const TranscriptEntry& entry) = 0;
};

// `HH:MM:SS.micros peer service C: text`: the textbook's format with what a reader needs to follow several
// clients at once.
std::string format_transcript_line(const TranscriptEntry& entry);

// Writes formatted lines to a stdio stream (stdout for `--trace`). Not owned.
class StreamTranscriptSink final : public TranscriptSink {
 public:
  explicit StreamTranscriptSink(std::FILE* out) : out_(out) {}
  void record(const TranscriptEntry& entry) override;

 private:
  std::FILE* out_;
  std::mutex mutex_;
};

// Keeps the newest `capacity` records in memory for the lab dashboard; readers poll with since().
class RingTranscriptSink final : public TranscriptSink {
 public:
  explicit RingTranscriptSink(std::size_t capacity) : capacity_(capacity) {}
  void record(const TranscriptEntry& entry) override;

  // Records with seq > after, oldest first, at most `limit`; optionally only those of one service.
  std::vector<TranscriptRecord> since(std::uint64_t after, std::size_t limit = 1000,
                                      std::string_view service = {}) const;
  std::uint64_t last_seq() const;

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<TranscriptRecord> records_;
  std::uint64_t next_seq_ = 1;
};

// A service's handle on the transcript: cheap to copy, and a no-op when tracing is off (null sink), so
// session code can call it unconditionally and test enabled() before building expensive text.
class Transcript {
 public:
  Transcript() = default;
  Transcript(TranscriptSink* sink, std::string service) : sink_(sink), service_(std::move(service)) {}

  bool enabled() const { return sink_ != nullptr; }
  const std::string& service() const { return service_; }

  // Multi-line text (an HTTP head, say) becomes one entry per line; CRLF and LF both end a line.
  void client(std::string_view peer, std::string_view text) const { write(peer, Speaker::Client, text); }
  void server(std::string_view peer, std::string_view text) const { write(peer, Speaker::Server, text); }
  void note(std::string_view peer, std::string_view text) const { write(peer, Speaker::Note, text); }

 private:
  void write(std::string_view peer, Speaker who, std::string_view text) const;

  TranscriptSink* sink_ = nullptr;
  std::string service_;
};

}  // namespace endhost::core
