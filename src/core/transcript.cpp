#include "core/transcript.hpp"

#include "core/printable.hpp"

#include <fmt/format.h>

#include <ctime>

namespace endhost::core {

namespace {

std::string_view prefix(Speaker who) {
  switch (who) {
    case Speaker::Client:
      return "C: ";
    case Speaker::Server:
      return "S: ";
    case Speaker::Note:
      return "-- ";
  }
  return "-- ";
}

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string format_transcript_line(const TranscriptEntry& e) {
  std::time_t secs = static_cast<std::time_t>(e.unix_micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:06} {} {} {}{}\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
                     e.unix_micros % 1'000'000, e.peer, e.service, prefix(e.who), printable(e.text));
}

void StreamTranscriptSink::record(const TranscriptEntry& entry) {
  std::string line = format_transcript_line(entry);
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void RingTranscriptSink::record(const TranscriptEntry& e) {
  std::lock_guard lock(mutex_);
  if (capacity_ == 0) return;
  if (records_.size() == capacity_) records_.pop_front();
  records_.push_back(TranscriptRecord{next_seq_++, e.unix_micros, std::string(e.service), std::string(e.peer),
                                      e.who, printable(e.text)});
}

std::vector<TranscriptRecord> RingTranscriptSink::since(std::uint64_t after, std::size_t limit,
                                                        std::string_view service) const {
  std::lock_guard lock(mutex_);
  std::vector<TranscriptRecord> out;
  for (const auto& r : records_) {
    if (r.seq <= after) continue;
    if (!service.empty() && r.service != service) continue;
    out.push_back(r);
  }
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

std::uint64_t RingTranscriptSink::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

void Transcript::write(std::string_view peer, Speaker who, std::string_view text) const {
  if (sink_ == nullptr) return;
  std::int64_t at = now_micros();
  // A message that ends with a line break should not produce an empty last line.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::size_t start = 0;
  while (true) {
    std::size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    sink_->record(TranscriptEntry{at, service_, peer, who, line});
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') {
      out += fmt::format("\\x{:02x}", u);
    } else if (u == 0x7f) {
      out += "\\x7f";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace endhost::core
