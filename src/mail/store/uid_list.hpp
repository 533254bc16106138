// The text of `<folder>/endhost-uidlist`, the index that makes a folder's UIDs durable (the equivalent of
// Dovecot's dovecot-uidlist). A header line, then one record a message, appended as messages arrive:
//
//   endhost-uidlist 2 V<uidvalidity> N<uidnext> R<records, 10 digits>
//   <uid> <vsize> <mtime> <base>
//
// Records are in ascending UID order (the mailbox appends under its lock). A later record for the same
// base replaces an earlier one (a message that came back); a record whose file is gone is dead until the
// next compaction rewrites the file. Flags are not here: they live in the file names. R counts the records
// the file should hold: each append rewrites it in place (fixed width) before the one fdatasync, so a file
// that lost whole records at its end (a truncation, a lost write-back) has fewer than R and is refused,
// where the records alone would look complete. Version 1 (no R) is still read. Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::mail::store {

struct UidRecord {
  std::uint32_t uid = 0;
  std::uint64_t vsize = 0;  // octets with CRLF line ends
  std::int64_t mtime = 0;   // the INTERNALDATE, unix seconds
  std::string base;         // the file name before ':'
};

struct UidList {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;  // max(the header's N, the last record's UID + 1)
  std::vector<UidRecord> records;
  std::size_t good_bytes = 0;    // the length of the complete lines: what stays when a torn tail is cut
  bool torn = false;             // the text ended inside a line (a crash mid-append): that line is ignored
  int version = 2;               // 1: an old header without R (rewrite it before appending)
  std::size_t header_bytes = 0;  // the header line with its newline: R's digits end one byte before it
};

struct UidListError {
  std::size_t line = 0;  // 1-based
  std::string why;
  std::uint32_t uidvalidity = 0;  // the header's, when it could be read: the rebuild must pick a larger one
};

// The largest UID a record may have (UIDs are 32-bit and UIDNEXT must stay representable).
inline constexpr std::uint32_t kMaxUid = 0xfffffffe;

Expected<UidList, UidListError> parse_uid_list(std::string_view text);

// The digits of R: always this many, so that an append can rewrite the count in place.
inline constexpr std::size_t kRecordCountDigits = 10;

std::string format_uid_list_header(std::uint32_t uidvalidity, std::uint32_t uidnext, std::size_t records);
// R's digits alone (kRecordCountDigits of them, zero-padded), for the in-place rewrite at
// header_bytes - 1 - kRecordCountDigits.
std::string format_record_count(std::size_t records);
// Appends one record line to `out`. The base must pass valid_index_base().
void append_uid_record(std::string& out, std::uint32_t uid, std::uint64_t vsize, std::int64_t mtime,
                       std::string_view base);
// Whether a file name's base can be a record: not empty, no byte below 0x20 (a newline would split the
// line), no '/' or ':', not starting with '.'.
bool valid_index_base(std::string_view base);

}  // namespace endhost::mail::store
