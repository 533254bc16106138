#include "mail/queue/queue_entry.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace endhost::mail::queue {

const char* to_string(RecipientState state) {
  switch (state) {
    case RecipientState::Pending:
      return "pending";
    case RecipientState::Delivered:
      return "delivered";
    case RecipientState::Failed:
      return "failed";
  }
  return "?";
}

std::optional<core::WallTime> QueueEntry::next_try() const {
  std::optional<core::WallTime> earliest;
  for (const auto& r : recipients)
    if (r.state == RecipientState::Pending && (!earliest || r.next_try < *earliest)) earliest = r.next_try;
  return earliest;
}

bool QueueEntry::finished() const {
  return std::none_of(recipients.begin(), recipients.end(),
                      [](const RecipientStatus& r) { return r.state == RecipientState::Pending; });
}

std::string format_queue_id(std::chrono::microseconds since_epoch, std::uint32_t tail) {
  const auto micros = static_cast<std::uint64_t>(since_epoch.count());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08X%05X%03X", static_cast<unsigned>((micros / 1'000'000) & 0xFFFFFFFF),
                static_cast<unsigned>(micros % 1'000'000), static_cast<unsigned>(tail & 0xFFF));
  return buf;
}

bool valid_queue_id(std::string_view id) {
  if (id.size() < 8 || id.size() > 40) return false;
  std::size_t digits = id.size();
  if (id.back() == 'B') digits = id.find_last_not_of('B') + 1;  // bounce ids: the original's id and "B"s
  if (digits < 8) return false;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

namespace {

constexpr std::string_view kMagic = "endhost-queue 1";

// Percent-encodes everything outside printable ASCII, and space, '%'; "" is "-" (and "-" itself "%2D"), so
// every field is one non-empty word.
std::string enc(std::string_view v) {
  if (v.empty()) return "-";
  if (v == "-") return "%2D";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(v.size());
  for (unsigned char c : v) {
    if (c <= 0x20 || c >= 0x7f || c == '%') {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Expected<std::string, std::string> dec(std::string_view v) {
  if (v == "-") return std::string();
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    if (i + 2 >= v.size()) return Unexpected(std::string("a cut %-escape"));
    const int hi = hexval(v[i + 1]), lo = hexval(v[i + 2]);
    if (hi < 0 || lo < 0) return Unexpected(std::string("a bad %-escape"));
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    const std::size_t j = line.find(' ', i);
    const std::size_t end = j == std::string_view::npos ? line.size() : j;
    if (end > i) out.push_back(line.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

template <class T>
bool number(std::string_view s, T& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string encode_entry(const QueueEntry& e) {
  std::string out(kMagic);
  out += "\nid " + enc(e.id);
  out += "\narrival " + std::to_string(e.arrival.time_since_epoch().count());
  out += "\nsize " + std::to_string(e.size);
  out += "\nsender " + enc(e.sender);
  out += "\nflags";
  if (e.smtputf8) out += " smtputf8";
  if (e.eight_bit) out += " eight_bit";
  if (e.bounced) out += " bounced";
  for (const auto& r : e.recipients) {
    out += "\nrcpt ";
    out += to_string(r.state);
    out += ' ' + std::to_string(r.attempts) + ' ' + std::to_string(r.next_try.time_since_epoch().count());
    out += ' ' + enc(r.status) + ' ' + enc(r.remote) + ' ' + enc(r.last_error) + ' ' + enc(r.address);
  }
  out += "\nend\n";
  return out;
}

Expected<QueueEntry, std::string> decode_entry(std::string_view text) {
  QueueEntry e;
  bool saw_end = false, first = true;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Unexpected(std::string("the last line has no end"));
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    const auto bad = [&](std::string why) {
      return Unexpected("line " + std::to_string(line_no) + ": " + why);
    };
    if (first) {
      if (line != kMagic) return bad("not an endhost queue file of version 1");
      first = false;
      continue;
    }
    if (saw_end) return bad("text after 'end'");
    const auto w = words(line);
    if (w.empty()) return bad("empty line");
    const std::string_view key = w[0];
    if (key == "end") {
      saw_end = true;
    } else if (key == "flags") {
      for (std::size_t i = 1; i < w.size(); ++i) {
        if (w[i] == "smtputf8")
          e.smtputf8 = true;
        else if (w[i] == "eight_bit")
          e.eight_bit = true;
        else if (w[i] == "bounced")
          e.bounced = true;
        else
          return bad("unknown flag");
      }
    } else if (key == "rcpt") {
      if (w.size() != 8) return bad("a rcpt line has 7 fields");
      RecipientStatus r;
      if (w[1] == "pending")
        r.state = RecipientState::Pending;
      else if (w[1] == "delivered")
        r.state = RecipientState::Delivered;
      else if (w[1] == "failed")
        r.state = RecipientState::Failed;
      else
        return bad("unknown recipient state");
      std::int64_t next = 0;
      if (!number(w[2], r.attempts) || !number(w[3], next)) return bad("bad number");
      r.next_try = core::WallTime(std::chrono::seconds(next));
      auto status = dec(w[4]), remote = dec(w[5]), error = dec(w[6]), address = dec(w[7]);
      if (!status || !remote || !error || !address) return bad("bad escape");
      r.status = std::move(*status);
      r.remote = std::move(*remote);
      r.last_error = std::move(*error);
      r.address = std::move(*address);
      e.recipients.push_back(std::move(r));
    } else {
      if (w.size() != 2) return bad("'" + std::string(key) + "' takes one value");
      if (key == "id") {
        auto v = dec(w[1]);
        if (!v || !valid_queue_id(*v)) return bad("bad id");
        e.id = std::move(*v);
      } else if (key == "arrival") {
        std::int64_t t = 0;
        if (!number(w[1], t)) return bad("bad arrival");
        e.arrival = core::WallTime(std::chrono::seconds(t));
      } else if (key == "size") {
        if (!number(w[1], e.size)) return bad("bad size");
      } else if (key == "sender") {
        auto v = dec(w[1]);
        if (!v) return bad(v.error());
        e.sender = std::move(*v);
      } else {
        return bad("unknown key");
      }
    }
  }
  if (first) return Unexpected(std::string("empty file"));
  if (!saw_end) return Unexpected(std::string("no 'end' line: the file is cut"));
  if (e.id.empty()) return Unexpected(std::string("no id"));
  if (e.recipients.empty()) return Unexpected(std::string("no recipient"));
  return e;
}

}  // namespace endhost::mail::queue
