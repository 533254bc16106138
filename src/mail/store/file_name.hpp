// Maildir file names as maildir(5) and Dovecot write them: `<base>:2,<info>`, where the base is unique in
// its folder (`<secs>.M<us>P<pid>Q<n>.<host>,S=<size>[,W=<vsize>]`) and the info part holds the flags as
// letters in ASCII order: D (Draft), F (Flagged), P (Passed, kept but not modelled), R (Answered), S (Seen),
// T (Deleted), then the folder's keywords as a..z. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mail/store/types.hpp"

namespace endhost::mail::store {

struct FileName {
  std::string_view base;  // before the first ':' (or the whole name)
  std::string_view info;  // after ":2," ("" when the name has none)
  bool has_info = false;  // the name has ":2," (names in new/ usually do not)
};
FileName split_file_name(std::string_view name);

// The flags of `info`'s letters. Keyword letters beyond `keyword_count` (another program's, without a name
// in endhost-keywords) and letters this store does not model (P, or anything unknown) go to `*other`, so a
// rename keeps them.
Flags parse_info(std::string_view info, std::size_t keyword_count, std::string* other = nullptr);
// The info letters of `flags` and `other`, in ASCII order, without duplicates.
std::string format_info(Flags flags, std::string_view other = {});
// `<base>:2,<info>`.
std::string make_file_name(std::string_view base, Flags flags, std::string_view other = {});

// The number after `,<key>=` in a base (`S` = the file's size, `W` = its size with CRLF line ends).
std::optional<std::uint64_t> name_field(std::string_view base, char key);

// Delivery order, the order UIDs are given in when several files are new at once: by the seconds and
// microseconds that start Dovecot's names (numerically: "M99" before "M100"), then bytewise.
bool delivered_before(std::string_view a, std::string_view b);
// The same with the numbers parsed once per name (what a sort of 100,000 new files compares).
struct DeliveryKey {
  std::uint64_t secs = 0, micros = 0;
  bool numeric = false;  // the name starts with a number
};
DeliveryKey delivery_key(std::string_view base);
bool delivered_before(const DeliveryKey& ka, std::string_view a, const DeliveryKey& kb, std::string_view b);

// Counts the octets of a message with every line end made CRLF, chunk by chunk (a bare LF costs one more).
class CrlfSize {
 public:
  void feed(std::string_view bytes);
  std::uint64_t size() const { return size_; }

 private:
  std::uint64_t size_ = 0;
  bool after_cr_ = false;
};
std::uint64_t crlf_size(std::string_view bytes);

}  // namespace endhost::mail::store
