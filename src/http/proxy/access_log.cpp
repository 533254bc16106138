#include "http/proxy/access_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "core/log.hpp"

namespace endhost::http::proxy {

namespace {
constexpr std::size_t kFlushAt = 32 * 1024;
}

AccessLog::AccessLog(std::FILE* out, bool owned, Format format, std::size_t loops)
    : out_(out),
      owned_(owned),
      format_(format),
      buffers_(std::make_unique<Buffer[]>(loops)),
      pending_(std::make_unique<Pending[]>(loops)),
      loops_(loops) {}

AccessLog::~AccessLog() {
  flush_all();
  if (owned_ && out_) std::fclose(out_);
}

void AccessLog::format(std::string& out, Format format, const AccessRecord& r) {
  if (format == Format::json) {
    out += "{\"time\":\"";
    out += core::format_utc_micros(r.unix_micros);
    out += "\",\"client\":\"";
    core::append_json_escaped(out, r.client);
    out += "\",\"method\":\"";
    core::append_json_escaped(out, r.method);
    out += "\",\"url\":\"";
    core::append_json_escaped(out, r.url);
    out += fmt::format(
        "\",\"status\":{},\"bytes\":{},\"cache\":\"{}\",\"upstream_status\":{},\"seconds\":{:.6f}}}\n",
        r.status, r.bytes, r.cache_result, r.upstream_status, r.seconds);
    return;
  }
  // time client "METHOD url" status bytes CACHE upstream-status seconds
  out += core::format_utc_micros(r.unix_micros);
  out += ' ';
  out += r.client;
  out += " \"";
  out += r.method;
  out += ' ';
  // The URL came from the client: keep the line one line and its quotes balanced.
  for (char c : r.url) out += (c == '"' || static_cast<unsigned char>(c) < 0x20) ? '%' : c;
  out += fmt::format("\" {} {} {} {} {:.6f}\n", r.status, r.bytes, r.cache_result,
                     r.upstream_status ? std::to_string(r.upstream_status) : std::string("-"), r.seconds);
}

void AccessLog::write(std::size_t loop, const AccessRecord& r) {
  Buffer& b = buffers_[loop % loops_];
  const auto begin = static_cast<std::uint32_t>(b.text.size());
  format(b.text, format_, r);
  b.lines.push_back(Line{r.unix_micros, begin, static_cast<std::uint32_t>(b.text.size())});
  if (b.text.size() >= kFlushAt) flush(loop);
}

void AccessLog::flush(std::size_t loop) {
  Buffer& b = buffers_[loop % loops_];
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  std::lock_guard lock(mu_);
  Pending& p = pending_[loop % loops_];
  // Drop what was written, then append the new lines (their offsets move by the text kept).
  if (p.next > 0) {
    const std::uint32_t cut =
        p.next < p.lines.size() ? p.lines[p.next].begin : static_cast<std::uint32_t>(p.text.size());
    p.text.erase(0, cut);
    p.lines.erase(p.lines.begin(), p.lines.begin() + static_cast<std::ptrdiff_t>(p.next));
    for (Line& l : p.lines) l.begin -= cut, l.end -= cut;
    p.next = 0;
  }
  const auto shift = static_cast<std::uint32_t>(p.text.size());
  p.text += b.text;
  for (Line l : b.lines) p.lines.push_back(Line{l.micros, l.begin + shift, l.end + shift});
  // A line is stamped before it is appended, so none later than `now` can still come from this loop
  // (a line stamped a little earlier may be, if the clock stepped back: it is then written late, not lost).
  for (const Line& l : p.lines) p.watermark = std::max(p.watermark, l.micros);
  p.watermark = std::max(p.watermark, now);
  b.text.clear();
  b.lines.clear();
  std::int64_t until = p.watermark;
  for (std::size_t i = 0; i < loops_; ++i) until = std::min(until, pending_[i].watermark);
  write_until(until);
}

void AccessLog::write_until(std::int64_t until) {
  merged_.clear();
  for (;;) {
    // The loop whose next line is oldest (few loops: a scan beats a heap).
    Pending* best = nullptr;
    for (std::size_t i = 0; i < loops_; ++i) {
      Pending& p = pending_[i];
      if (p.next < p.lines.size() && p.lines[p.next].micros <= until &&
          (!best || p.lines[p.next].micros < best->lines[best->next].micros))
        best = &p;
    }
    if (!best) break;
    const Line& l = best->lines[best->next++];
    merged_.append(best->text, l.begin, l.end - l.begin);
  }
  if (merged_.empty()) return;
  std::fwrite(merged_.data(), 1, merged_.size(), out_);
  std::fflush(out_);
}

bool AccessLog::reopen(const std::string& path) {
  if (!owned_) return false;
  std::FILE* fresh = std::fopen(path.c_str(), "a");
  if (!fresh) return false;
  std::FILE* old = nullptr;
  {
    std::lock_guard lock(mu_);  // the loops' block writes take it: none is half-written into either file
    old = out_;
    out_ = fresh;
  }
  std::fclose(old);
  return true;
}

void AccessLog::flush_all() {
  for (std::size_t i = 0; i < loops_; ++i) flush(i);
  std::lock_guard lock(mu_);
  write_until(std::numeric_limits<std::int64_t>::max());
}

}  // namespace endhost::http::proxy
