#include "mail/store/uid_list.hpp"

#include <charconv>

namespace endhost::mail::store {

namespace {

constexpr std::string_view kMagic = "endhost-uidlist 2 ";
constexpr std::string_view kMagicV1 = "endhost-uidlist 1 ";

template <class T>
bool parse_number(std::string_view s, T* out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// The next space-separated field of `line`, consumed.
std::string_view take_field(std::string_view* line) {
  const auto sp = line->find(' ');
  const std::string_view field = line->substr(0, sp);
  *line = sp == std::string_view::npos ? std::string_view() : line->substr(sp + 1);
  return field;
}

}  // namespace

bool valid_index_base(std::string_view base) {
  if (base.empty() || base.front() == '.') return false;
  for (const char c : base)
    if (static_cast<unsigned char>(c) < 0x20 || c == '/' || c == ':') return false;
  return true;
}

Expected<UidList, UidListError> parse_uid_list(std::string_view text) {
  UidList list;
  UidListError err;
  const auto header_end = text.find('\n');
  if (header_end == std::string_view::npos) {
    err.line = 1;
    err.why = text.empty() ? "empty" : "no complete header line";
    return Unexpected(err);
  }
  std::string_view header = text.substr(0, header_end);
  err.line = 1;
  if (header.substr(0, kMagic.size()) == kMagic) {
    list.version = 2;
  } else if (header.substr(0, kMagicV1.size()) == kMagicV1) {
    list.version = 1;
  } else {
    err.why = "not an endhost-uidlist version 1 or 2 header";
    return Unexpected(err);
  }
  header.remove_prefix(kMagic.size());
  const std::string_view v = take_field(&header);
  const std::string_view n = take_field(&header);
  std::uint32_t uidvalidity = 0, uidnext = 0;
  if (v.size() < 2 || v[0] != 'V' || !parse_number(v.substr(1), &uidvalidity) || uidvalidity == 0 ||
      n.size() < 2 || n[0] != 'N' || !parse_number(n.substr(1), &uidnext) || uidnext == 0) {
    err.why = "bad V or N in the header";
    return Unexpected(err);
  }
  err.uidvalidity = uidvalidity;
  std::size_t expected_records = 0;
  if (list.version == 2) {
    const std::string_view r = take_field(&header);
    if (r.size() != 1 + kRecordCountDigits || r[0] != 'R' || !parse_number(r.substr(1), &expected_records) ||
        !header.empty()) {
      err.why = "bad R in the header";
      return Unexpected(err);
    }
  }
  list.uidvalidity = uidvalidity;
  list.uidnext = uidnext;
  list.header_bytes = header_end + 1;

  std::size_t pos = header_end + 1;
  std::size_t line_no = 1;
  std::uint32_t last_uid = 0;
  while (pos < text.size()) {
    ++line_no;
    const auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      list.torn = true;  // a crash mid-append: the record was never acknowledged
      break;
    }
    std::string_view line = text.substr(pos, nl - pos);
    UidRecord r;
    const std::string_view uid = take_field(&line);
    const std::string_view vsize = take_field(&line);
    const std::string_view mtime = take_field(&line);
    err.line = line_no;
    if (!parse_number(uid, &r.uid) || r.uid == 0 || r.uid > kMaxUid || !parse_number(vsize, &r.vsize) ||
        !parse_number(mtime, &r.mtime) || !valid_index_base(line)) {
      err.why = "malformed record";
      return Unexpected(err);
    }
    if (r.uid <= last_uid) {
      err.why = "UID " + std::to_string(r.uid) + " after " + std::to_string(last_uid);
      return Unexpected(err);
    }
    last_uid = r.uid;
    r.base = std::string(line);
    list.records.push_back(std::move(r));
    pos = nl + 1;
  }
  list.good_bytes = pos;  // the start of the torn line, or the end
  // Fewer whole records than the header counts: the end of the file is lost, and with it UIDs that were
  // given out (RFC 3501 §2.3.1.1: they cannot be kept, so the mailbox gets a new UIDVALIDITY). More is
  // fine: an append whose new count had not reached the disk when the machine stopped.
  if (list.version == 2 && list.records.size() < expected_records) {
    err.line = line_no + (list.torn ? 0 : 1);
    err.why = "the header counts " + std::to_string(expected_records) + " records, the file holds " +
              std::to_string(list.records.size()) + " (its end was lost)";
    return Unexpected(err);
  }
  if (last_uid >= list.uidnext) list.uidnext = last_uid + 1;
  return list;
}

std::string format_record_count(std::size_t records) {
  std::string digits = std::to_string(records);
  if (digits.size() < kRecordCountDigits) digits.insert(0, kRecordCountDigits - digits.size(), '0');
  return digits;
}

std::string format_uid_list_header(std::uint32_t uidvalidity, std::uint32_t uidnext, std::size_t records) {
  std::string s(kMagic);
  s += 'V';
  s += std::to_string(uidvalidity);
  s += " N";
  s += std::to_string(uidnext);
  s += " R";
  s += format_record_count(records);
  s += '\n';
  return s;
}

void append_uid_record(std::string& out, std::uint32_t uid, std::uint64_t vsize, std::int64_t mtime,
                       std::string_view base) {
  out += std::to_string(uid);
  out += ' ';
  out += std::to_string(vsize);
  out += ' ';
  out += std::to_string(mtime);
  out += ' ';
  out += base;
  out += '\n';
}

}  // namespace endhost::mail::store
