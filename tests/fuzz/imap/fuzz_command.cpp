// Parses arbitrary bytes as one IMAP command, under the default limits and under small ones. A failure must
// be a ParseError with a one-line message; a success must keep every promise of command.hpp: a valid tag,
// counts within the limits, sets that resolve() to sorted ranges in bounds and that contains() agrees with,
// sections that parse back from their own text, canonical modified UTF-7, and views inside the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "imap/command_parser.hpp"
#include "imap/mutf7.hpp"

namespace {

using namespace endhost::imap;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool tag_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && std::string_view("(){%*\"\\+").find(c) == std::string_view::npos;
}

// What resolve() must give, the slow way: is n in the set once * is max_value?
bool member(const SequenceSet& set, std::uint32_t max_value, std::uint32_t n) {
  if (max_value == 0 || n == 0 || n > max_value) return false;
  for (const SeqRange& r : set.ranges) {
    std::uint32_t a = r.first == kStar ? max_value : r.first;
    std::uint32_t b = r.last == kStar ? max_value : r.last;
    if (a > b) std::swap(a, b);
    if (n >= a && n <= b) return true;
  }
  return false;
}

void check_set(const SequenceSet& set, const ParseLimits& limits) {
  check(!set.ranges.empty() && set.ranges.size() <= limits.max_sequence_ranges);
  for (std::uint32_t max_value : {0u, 1u, 5u, 1000u, 4294967295u}) {
    const auto resolved = resolve(set, max_value);
    for (std::size_t i = 0; i < resolved.size(); ++i) {
      check(resolved[i].first >= 1 && resolved[i].first <= resolved[i].last && resolved[i].last <= max_value);
      if (i > 0)
        check(resolved[i - 1].last < resolved[i].first && resolved[i].first - resolved[i - 1].last > 1);
    }
    // Membership at every range end and beside it.
    for (const SeqRange& r : set.ranges) {
      for (std::uint32_t n : {r.first, r.last}) {
        for (std::uint32_t probe : {n - 1, n, n + 1}) {
          check(contains(resolved, probe) == member(set, max_value, probe));
        }
      }
    }
  }
}

void check_mailbox(const std::string& name, const ParseLimits& limits) {
  check(name.size() <= limits.max_mailbox);
  if (const auto utf8 = mutf7_decode(name)) {
    const auto back = mutf7_encode(*utf8);
    check(back && *back == name);  // one spelling per name
  }
}

std::size_t check_key(const SearchKey& k, std::size_t depth, const ParseLimits& limits) {
  check(depth <= limits.max_depth);
  std::size_t n = 1;
  using K = SearchKey::Kind;
  if (k.kind == K::Not) check(k.children.size() == 1);
  if (k.kind == K::Or) check(k.children.size() == 2);
  if (k.kind == K::And) check(!k.children.empty());
  if (k.kind == K::Uid || k.kind == K::SequenceSet) check_set(k.set, limits);
  for (const SearchKey& c : k.children) n += check_key(c, depth + 1, limits);
  return n;
}

void check_section(const FetchItem& item, const ParseLimits& limits) {
  const Section& s = item.section;
  check(s.part.size() <= limits.max_part_depth && s.fields.size() <= limits.max_header_fields);
  for (std::uint32_t p : s.part) check(p != 0);
  if (s.text == Section::Text::Mime) check(!s.part.empty());
  if (item.partial) check(item.partial->count >= 1);
  // The section's text, as the response names it, must parse back to the same section.
  const auto again = parse_command("x FETCH 1 BODY[" + s.to_string() + "]");
  check(again && again->as<FetchArgs>().items.size() == 1 && again->as<FetchArgs>().items[0].section == s);
}

void check_flags(const std::vector<Flag>& flags, const ParseLimits& limits) {
  check(flags.size() <= limits.max_flags);
  for (const Flag& f : flags) {
    check(!f.name.empty());
    check((f.name[0] == '\\') == (f.kind != FlagKind::Keyword));
  }
}

void check_command(const Command& cmd, std::string_view wire, const ParseLimits& limits) {
  check(!cmd.tag.empty() && cmd.tag.size() <= limits.max_tag);
  for (char c : cmd.tag) check(tag_char(c));
  check(!to_string(cmd.name).empty());
  if (const auto* a = std::get_if<SelectArgs>(&cmd.args)) check_mailbox(a->mailbox, limits);
  if (const auto* a = std::get_if<MailboxArgs>(&cmd.args)) check_mailbox(a->mailbox, limits);
  if (const auto* a = std::get_if<RenameArgs>(&cmd.args)) {
    check_mailbox(a->from, limits);
    check_mailbox(a->to, limits);
  }
  if (const auto* a = std::get_if<ListArgs>(&cmd.args)) {
    check(!a->patterns.empty() && a->patterns.size() <= limits.max_list_items);
  }
  if (const auto* a = std::get_if<StatusArgs>(&cmd.args)) check(!a->items.empty());
  if (const auto* a = std::get_if<AppendArgs>(&cmd.args)) {
    check_mailbox(a->mailbox, limits);
    check_flags(a->flags, limits);
    check(a->message.data() >= wire.data() &&
          a->message.data() + a->message.size() <= wire.data() + wire.size());
    if (a->internal_date) {
      const std::string text =
          format_internal_date(a->internal_date->unix_seconds, a->internal_date->tz_offset_minutes);
      const auto back = parse_date_time(std::string_view(text).substr(1, text.size() - 2));
      check(back && *back == *a->internal_date);
    }
  }
  if (const auto* a = std::get_if<SearchArgs>(&cmd.args)) {
    check(a->key.kind == SearchKey::Kind::And);
    check(check_key(a->key, 0, limits) - 1 <= limits.max_search_keys);
  }
  if (const auto* a = std::get_if<FetchArgs>(&cmd.args)) {
    check_set(a->set, limits);
    check(!a->items.empty() && a->items.size() <= limits.max_fetch_items);
    for (const FetchItem& item : a->items) {
      if (item.kind == FetchItem::Kind::BodySection) check_section(item, limits);
    }
  }
  if (const auto* a = std::get_if<StoreArgs>(&cmd.args)) {
    check_set(a->set, limits);
    check_flags(a->flags, limits);
  }
  if (const auto* a = std::get_if<CopyArgs>(&cmd.args)) {
    check_set(a->set, limits);
    check_mailbox(a->mailbox, limits);
  }
  if (const auto* a = std::get_if<ExpungeArgs>(&cmd.args)) {
    check(a->uid_set.has_value() == cmd.uid);
    if (a->uid_set) check_set(*a->uid_set, limits);
  }
}

void run(std::string_view wire, const ParseLimits& limits) {
  const auto r = parse_command(wire, limits);
  if (!r) {
    const ParseError& e = r.error();
    check(!e.message.empty() && e.message.find_first_of("\r\n") == std::string::npos);
    check(e.tag.size() <= limits.max_tag);
    for (char c : e.tag) check(tag_char(c));
    if (!e.tag.empty()) check(wire.substr(0, e.tag.size()) == e.tag);
    return;
  }
  check_command(*r, wire, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view wire(reinterpret_cast<const char*>(data), size);
  run(wire, ParseLimits{});
  ParseLimits small;
  small.max_tag = 4;
  small.max_depth = 3;
  small.max_string = 8;
  small.max_mailbox = 6;
  small.max_sequence_ranges = 3;
  small.max_search_keys = 5;
  small.max_fetch_items = 3;
  small.max_header_fields = 2;
  small.max_part_depth = 2;
  small.max_flags = 2;
  small.max_list_items = 2;
  small.max_id_pairs = 2;
  small.max_id_field = 4;
  small.max_id_value = 8;
  run(wire, small);
  return 0;
}
