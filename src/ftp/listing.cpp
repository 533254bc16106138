#include "ftp/listing.hpp"

#include <array>
#include <charconv>

#include "http/civil_date.hpp"

namespace endhost::ftp {

namespace {

constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Utc {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Utc utc(std::int64_t t) {
  std::int64_t days = t / 86400;
  std::int64_t rest = t % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  const http::CivilDate d = http::civil_from_days(days);
  return {d.year,
          d.month,
          d.day,
          static_cast<unsigned>(rest / 3600),
          static_cast<unsigned>(rest / 60 % 60),
          static_cast<unsigned>(rest % 60)};
}

void append_number(std::string& out, std::uint64_t v) {
  std::array<char, 24> buf;
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

void append_padded(std::string& out, std::uint64_t v, unsigned width, char fill = '0') {
  std::array<char, 24> buf;
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  const auto n = static_cast<unsigned>(r.ptr - buf.data());
  if (n < width) out.append(width - n, fill);
  out.append(buf.data(), r.ptr);
}

// Left-aligned in `width`, never cut (ls widens a column rather than cut a value).
void append_left(std::string& out, std::uint64_t v, unsigned width) {
  const std::size_t before = out.size();
  append_number(out, v);
  const std::size_t n = out.size() - before;
  if (n < width) out.append(width - n, ' ');
}

char type_char(EntryType type) {
  switch (type) {
    case EntryType::dir:
      return 'd';
    case EntryType::symlink:
      return 'l';
    case EntryType::other:
      return '?';
    case EntryType::file:
      break;
  }
  return '-';
}

}  // namespace

std::string mode_text(EntryType type, std::uint32_t mode) {
  std::string s(10, '-');
  s[0] = type_char(type);
  constexpr std::array<char, 3> rwx = {'r', 'w', 'x'};
  for (unsigned i = 0; i < 9; ++i) {
    if (mode & (0400u >> i)) s[1 + i] = rwx[i % 3];
  }
  // setuid, setgid, sticky replace the x of their triplet (S/T when x is not set).
  if (mode & 04000) s[3] = (mode & 0100) ? 's' : 'S';
  if (mode & 02000) s[6] = (mode & 0010) ? 's' : 'S';
  if (mode & 01000) s[9] = (mode & 0001) ? 't' : 'T';
  return s;
}

std::string list_date(std::int64_t mtime, std::int64_t now) {
  const Utc u = utc(mtime);
  std::string s = kMonths[u.month - 1];
  s += ' ';
  append_padded(s, u.day, 2);
  s += ' ';
  const bool recent = mtime <= now && now - mtime <= kRecentSeconds;
  if (recent) {
    append_padded(s, u.hour, 2);
    s += ':';
    append_padded(s, u.minute, 2);
  } else {
    s += ' ';
    if (u.year >= 0 && u.year <= 9999) {
      append_padded(s, static_cast<std::uint64_t>(u.year), 4, ' ');
    } else {
      s += "????";
    }
  }
  return s;
}

void append_list_line(std::string& out, const EntryFacts& e, std::int64_t now) {
  out += mode_text(e.type, e.mode);
  out += ' ';
  append_padded(out, e.nlink, 4, ' ');
  out += ' ';
  append_left(out, e.uid, 8);
  out += ' ';
  append_left(out, e.gid, 8);
  out += ' ';
  append_padded(out, e.size, 8, ' ');
  out += ' ';
  out += list_date(e.mtime, now);
  out += ' ';
  out += e.name;
  if (e.type == EntryType::symlink && !e.link_target.empty()) {
    out += " -> ";
    out += e.link_target;
  }
  out += "\r\n";
}

void append_nlst_line(std::string& out, std::string_view name) {
  out += name;
  out += "\r\n";
}

std::string mlsx_time(std::int64_t seconds) {
  const Utc u = utc(seconds);
  std::string s;
  append_padded(s, static_cast<std::uint64_t>(u.year < 0 ? 0 : u.year), 4);
  append_padded(s, u.month, 2);
  append_padded(s, u.day, 2);
  append_padded(s, u.hour, 2);
  append_padded(s, u.minute, 2);
  append_padded(s, u.second, 2);
  return s;
}

namespace {

std::string_view type_fact(const EntryFacts& e, MlsxRole role) {
  switch (role) {
    case MlsxRole::cdir:
      return "cdir";
    case MlsxRole::pdir:
      return "pdir";
    case MlsxRole::entry:
      break;
  }
  // §7.5.1: a symlink is listed as what it is; OS.unix=symlink is the registered spelling.
  switch (e.type) {
    case EntryType::dir:
      return "dir";
    case EntryType::file:
      return "file";
    case EntryType::symlink:
      return "OS.unix=symlink";
    case EntryType::other:
      break;
  }
  return "OS.unix=special";
}

// §7.5.5: what this login may do with the entry. Read permission from the owner bits (the server's files
// are its own); changes only for a writable login.
std::string perm_fact(const EntryFacts& e, bool dir, MlsxRole role, MlsxPermissions p) {
  const bool readable = (e.mode & 0400) != 0;
  const bool owner_writable = (e.mode & 0200) != 0;
  std::string s;
  if (dir) {
    if (p.writable && owner_writable) s += "cmp";  // create files, make directories, purge entries
    if (p.writable && role == MlsxRole::entry) s += "df";
    if (e.mode & 0100) s += 'e';
    if (readable) s += 'l';
  } else {
    if (p.writable && owner_writable) s += 'a';
    if (p.writable) s += "df";
    if (readable) s += 'r';
    if (p.writable && owner_writable) s += 'w';
  }
  return s;
}

}  // namespace

std::string mlsx_facts(const EntryFacts& e, MlsxRole role, MlsxPermissions p, MlsxSelection want) {
  std::string s;
  const bool dir = e.type == EntryType::dir || role != MlsxRole::entry;
  if (want.type) {
    s += "type=";
    s += type_fact(e, role);
    s += ';';
  }
  if (!dir && want.size) {  // §7.5.7: size of a file in octets; directories' sizes mean nothing portable
    s += "size=";
    append_number(s, e.size);
    s += ';';
  }
  if (want.modify) {  // §7.5.3
    s += "modify=";
    s += mlsx_time(e.mtime);
    s += ';';
  }
  if (want.perm) {
    s += "perm=";
    s += perm_fact(e, dir, role, p);
    s += ';';
  }
  if (want.unix_mode) {  // the common extension (IANA "UNIX.mode"), four octal digits
    s += "unix.mode=0";
    std::array<char, 8> buf;
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), e.mode & 07777u, 8);
    const auto n = static_cast<std::size_t>(r.ptr - buf.data());
    if (n < 3) s.append(3 - n, '0');
    s.append(buf.data(), r.ptr);
    s += ';';
  }
  return s;
}

void append_mlsd_line(std::string& out, const EntryFacts& e, MlsxRole role, MlsxPermissions p,
                      MlsxSelection want) {
  out += mlsx_facts(e, role, p, want);
  out += ' ';
  out += e.name;
  out += "\r\n";
}

}  // namespace endhost::ftp
