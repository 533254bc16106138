// The lines of FTP directory listings, from the facts the server's file system gathered (stat(2)): LIST in
// the `ls -l` format that vsftpd prints (the format every client's LIST parser knows), NLST's bare names,
// and the machine-readable facts of MLSD and MLST (RFC 3659 §7). Times are UTC, as vsftpd prints them by
// default and as RFC 3659 §2.3 requires for MLSx. Standard library only: the session's I/O streams the lines
// it gets from here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace endhost::ftp {

enum class EntryType : std::uint8_t { file, dir, symlink, other };

// One directory entry as the file system saw it (lstat: a symlink is itself, not its target).
struct EntryFacts {
  std::string name;  // the name inside its directory (MLST: the path the client gave)
  EntryType type = EntryType::file;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;   // seconds since the epoch
  std::uint32_t mode = 0;   // st_mode & 07777
  std::uint64_t nlink = 1;  //
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string link_target;  // a symlink's target, for LIST's "name -> target"
};

// How long ago a modification time stops being "recent" in LIST: then the year is shown instead of the
// time. ls(1) and vsftpd use six months (182 days); a time in the future is never recent.
inline constexpr std::int64_t kRecentSeconds = 182LL * 24 * 3600;

// "drwxr-xr-x    2 1000     1000         4096 Dec 02 13:02 name" CRLF (vsftpd's ls.c columns: perms,
// links right-aligned in 4, uid and gid left-aligned in 8, size right-aligned in 8, date, name). `now` is
// the listing's time, for the recent/old choice.
void append_list_line(std::string& out, const EntryFacts& entry, std::int64_t now);

// The ten characters of `ls -l`'s mode column: "-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx", with s/S/t/T.
std::string mode_text(EntryType type, std::uint32_t mode);

// "Dec 02 13:02" (recent) or "Dec 02  2025" (older than kRecentSeconds, or in the future).
std::string list_date(std::int64_t mtime, std::int64_t now);

// NLST (RFC 959 §4.1.3): the name and CRLF, nothing else.
void append_nlst_line(std::string& out, std::string_view name);

// MLSx "type" of an entry (RFC 3659 §7.5.1): the listed directory itself is cdir, its parent pdir.
enum class MlsxRole : std::uint8_t { entry, cdir, pdir };

// What the session may do, for the perm fact (RFC 3659 §7.5.5): `writable` when this login may change
// things here (a writable login inside its writable area). Read permission comes from the mode's owner bits.
struct MlsxPermissions {
  bool writable = false;
};

// The facts a client asked for with OPTS MLST (RFC 3659 §7.9); all by default.
struct MlsxSelection {
  bool type = true, size = true, modify = true, perm = true, unix_mode = true;
};

// "type=file;size=1234;modify=20261202130200;perm=adfrw;unix.mode=0644;" (the facts RFC 3659 §7 calls for,
// each ended by ';', sizes only for files). The caller adds " name".
std::string mlsx_facts(const EntryFacts& entry, MlsxRole role, MlsxPermissions permissions,
                       MlsxSelection selection = {});

// MLSD (RFC 3659 §7.2): facts, one space, the name, CRLF.
void append_mlsd_line(std::string& out, const EntryFacts& entry, MlsxRole role, MlsxPermissions permissions,
                      MlsxSelection selection = {});

// YYYYMMDDHHMMSS in UTC (RFC 3659 §2.3): MDTM's reply and the modify fact.
std::string mlsx_time(std::int64_t seconds);

}  // namespace endhost::ftp
