// Sequence sets (RFC 9051 §9 `sequence-set`, RFC 3501 §9): message sequence numbers or UIDs as a client sent
// them, `*` kept apart so the session resolves it against the mailbox it has selected, and the resolved,
// normalised form the session iterates and tests membership in. Formatting is for UIDPLUS response codes
// (RFC 4315 §3: COPYUID, APPENDUID) and for tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace endhost::imap {

// `*` in a SequenceSet as sent: "the largest number in use" (RFC 9051 §9 seq-number).
inline constexpr std::uint32_t kStar = 0;

// One element of a set. As sent (SequenceSet): a number has first == last; `a:b` may have a > b (RFC 9051 §9:
// "2:4 and 4:2 are equivalent"); either end may be kStar. Resolved (resolve()): 1 <= first <= last.
struct SeqRange {
  std::uint32_t first = 1;
  std::uint32_t last = 1;
  friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

// A non-empty set as sent, in the client's order. Numbers are never 0 (the parser refuses 0).
struct SequenceSet {
  std::vector<SeqRange> ranges;
  friend bool operator==(const SequenceSet&, const SequenceSet&) = default;
};

// `*` replaced by `max_value` (the number of messages, or the highest UID in use), each range ordered,
// clipped to [1, max_value], sorted and merged (overlapping and adjacent ranges joined). Empty when nothing
// is within range, and always when max_value is 0. Per RFC 9051 §6.4.9 a UID range `n:*` with n above the
// highest UID still includes the highest UID, which this gives (the range becomes max_value:n, clipped).
std::vector<SeqRange> resolve(const SequenceSet& set, std::uint32_t max_value);

// Whether `n` is in a resolved set (binary search).
bool contains(std::span<const SeqRange> resolved, std::uint32_t n);

// Whether some number of `set`, other than `*`, is above `max_value`: a message sequence number there is an
// error (RFC 9051 §6.4.8 allows a BAD), a UID is not (§2.3.1.1 UIDs of expunged messages are simply absent).
bool exceeds(const SequenceSet& set, std::uint32_t max_value);

// `1:3,5,7:*` form; a resolved set prints as sorted ranges, and kStar prints as `*`.
std::string format(std::span<const SeqRange> ranges);

}  // namespace endhost::imap
