// A service's settings as text, the one form that the command line (`--max-line 4096`) and the lab's TOML
// (`max_line = 4096`) both reduce to, and SettingTable: the declaration of a service's options (name, help,
// type, range, default) that checks each value and stores it in the service's options struct. A service
// declares its table once; the CLI builds `endhost <service> serve`'s options from it and the lab checks its
// TOML keys against it, so both give the same sentence for the same mistake.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/expected.hpp"

namespace endhost::core {

// A `seconds` setting as a duration: fractions kept to the microsecond, then truncated to D.
template <class D = std::chrono::milliseconds>
D seconds_as(double seconds) {
  return std::chrono::duration_cast<D>(std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6)));
}

// Option name (the command line's, without the dashes) → the values given, in order. A flag that is set
// has the value "true".
class Settings {
 public:
  void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every value of `name` with this one.
  void set(const std::string& name, std::string value);
  void erase(std::string_view name);
  bool has(std::string_view name) const { return get(name) != nullptr; }
  // The last value given for `name`, or null.
  const std::string* get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// What the command line and the lab learn about one option.
struct OptionInfo {
  std::string name;        // "max-line": --max-line on the command line, max_line in the lab's TOML
  std::string alias;       // a short form such as "-r", or empty
  std::string help;        // one line for --help
  std::string value_name;  // "BYTES", "DIR"; empty for a flag, which takes no value
  bool repeatable = false;
  std::string default_text;  // shown by --help; empty: nothing shown
};

// Text → value, with the option's name in the message: "--max-line: '5' is outside 64 … 1048576".
Expected<std::uint64_t, std::string> parse_unsigned_setting(std::string_view option, std::string_view text,
                                                            std::uint64_t low, std::uint64_t high);
// A byte size: "1048576", "64K", "512M", "1G", "2T" (binary multiples, as Squid and nginx read them).
Expected<std::uint64_t, std::string> parse_size_setting(std::string_view option, std::string_view text,
                                                        std::uint64_t low, std::uint64_t high);
Expected<double, std::string> parse_number_setting(std::string_view option, std::string_view text, double low,
                                                   double high);
// "true"/"false" (also 1/0, yes/no, on/off).
Expected<bool, std::string> parse_bool_setting(std::string_view option, std::string_view text);
// "1024" → "1024"; a size as the user would write it: 65536 → "64K".
std::string format_size(std::uint64_t bytes);

template <class T>
class SettingTable {
 public:
  using Setter = std::function<Expected<void, std::string>(T&, const std::string&)>;

  SettingTable& flag(std::string name, bool T::*member, std::string help) {
    const std::string n = dashed(name);
    return add({std::move(name), {}, std::move(help), {}, false, {}},
               [member, n](T& o, const std::string& v) -> Expected<void, std::string> {
                 auto b = parse_bool_setting(n, v);
                 if (!b) return Unexpected(b.error());
                 o.*member = *b;
                 return {};
               });
  }

  SettingTable& text(std::string name, std::string T::*member, std::string value_name, std::string help) {
    return add({std::move(name), {}, std::move(help), std::move(value_name), false, default_of(member)},
               [member](T& o, const std::string& v) -> Expected<void, std::string> {
                 o.*member = v;
                 return {};
               });
  }

  // Repeatable: each value is appended, in the order given.
  SettingTable& texts(std::string name, std::vector<std::string> T::*member, std::string value_name,
                      std::string help) {
    return add({std::move(name), {}, std::move(help), std::move(value_name), true, {}},
               [member](T& o, const std::string& v) -> Expected<void, std::string> {
                 (o.*member).push_back(v);
                 return {};
               });
  }

  // One of a fixed set of words ("text", "json").
  SettingTable& choice(std::string name, std::string T::*member, std::vector<std::string> choices,
                       std::string help) {
    const std::string n = dashed(name);
    std::string value_name;
    for (const auto& c : choices) value_name += (value_name.empty() ? "" : "|") + c;
    return add({std::move(name), {}, std::move(help), value_name, false, default_of(member)},
               [member, choices, n](T& o, const std::string& v) -> Expected<void, std::string> {
                 for (const auto& c : choices) {
                   if (c == v) {
                     o.*member = v;
                     return {};
                   }
                 }
                 std::string list;
                 for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
                 return Unexpected(n + ": '" + v + "' is not one of " + list);
               });
  }

  template <class N>
  requires std::is_integral_v<N> SettingTable& integer(std::string name, N T::*member, N low, N high,
                                                       std::string help, std::string value_name = "N") {
    const std::string n = dashed(name);
    return add({std::move(name), {}, std::move(help), std::move(value_name), false, default_of(member)},
               [member, low, high, n](T& o, const std::string& v) -> Expected<void, std::string> {
                 auto x = parse_unsigned_setting(n, v, static_cast<std::uint64_t>(low),
                                                 static_cast<std::uint64_t>(high));
                 if (!x) return Unexpected(x.error());
                 o.*member = static_cast<N>(*x);
                 return {};
               });
  }

  // Bytes, with K/M/G/T suffixes.
  template <class N>
  requires std::is_integral_v<N> SettingTable& size(std::string name, N T::*member, N low, N high,
                                                    std::string help) {
    const std::string n = dashed(name);
    OptionInfo info{std::move(name), {}, std::move(help), "BYTES", false, {}};
    const T defaults{};
    info.default_text = format_size(static_cast<std::uint64_t>(defaults.*member));
    return add(
        std::move(info), [member, low, high, n](T& o, const std::string& v) -> Expected<void, std::string> {
          auto x =
              parse_size_setting(n, v, static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(high));
          if (!x) return Unexpected(x.error());
          o.*member = static_cast<N>(*x);
          return {};
        });
  }

  // A positive number of seconds, fractions allowed, at most a million.
  SettingTable& seconds(std::string name, double T::*member, std::string help) {
    const std::string n = dashed(name);
    return add({std::move(name), {}, std::move(help), "SECONDS", false, default_of(member)},
               [member, n](T& o, const std::string& v) -> Expected<void, std::string> {
                 auto x = parse_number_setting(n, v, 0, 1e6);
                 if (!x) return Unexpected(x.error());
                 if (!(*x > 0)) return Unexpected(n + " must be a positive number of seconds");
                 o.*member = *x;
                 return {};
               });
  }

  SettingTable& number(std::string name, double T::*member, double low, double high, std::string help,
                       std::string value_name = "X") {
    const std::string n = dashed(name);
    return add({std::move(name), {}, std::move(help), std::move(value_name), false, default_of(member)},
               [member, low, high, n](T& o, const std::string& v) -> Expected<void, std::string> {
                 auto x = parse_number_setting(n, v, low, high);
                 if (!x) return Unexpected(x.error());
                 o.*member = *x;
                 return {};
               });
  }

  // Anything else: the service parses the text itself.
  SettingTable& custom(OptionInfo info, Setter setter) { return add(std::move(info), std::move(setter)); }

  // A short form for the option declared last ("-r").
  SettingTable& alias(std::string short_name) {
    entries_.back().info.alias = std::move(short_name);
    return *this;
  }
  // Overrides the default shown by --help for the option declared last.
  SettingTable& shown_default(std::string text) {
    entries_.back().info.default_text = std::move(text);
    return *this;
  }

  std::vector<OptionInfo> options() const {
    std::vector<OptionInfo> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.info);
    return out;
  }

  // Stores every setting into `out`, in order. The error is one line naming the option; an unknown name is
  // refused with the list of known ones.
  Expected<void, std::string> apply(const Settings& settings, T& out) const {
    for (const auto& [name, value] : settings.items()) {
      const Entry* entry = find(name);
      if (!entry) {
        std::string list;
        for (const auto& e : entries_) list += (list.empty() ? "" : ", ") + e.info.name;
        return Unexpected("unknown option '" + name + "' (known: " + list + ")");
      }
      if (auto ok = entry->set(out, value); !ok) return ok;
    }
    return {};
  }

  bool knows(std::string_view name) const { return find(name) != nullptr; }

  // apply() onto a throwaway Options{}: each value checked, nothing built. The table must outlive the
  // function (registrations keep theirs in a function-local static).
  std::function<Expected<void, std::string>(const Settings&)> checker() const {
    return [this](const Settings& settings) {
      T scratch{};
      return apply(settings, scratch);
    };
  }

 private:
  struct Entry {
    OptionInfo info;
    Setter set;
  };

  static std::string dashed(const std::string& name) { return "--" + name; }

  template <class M>
  static std::string default_of(M T::*member) {
    const T defaults{};
    const auto& v = defaults.*member;
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
      return v;
    } else if constexpr (std::is_floating_point_v<std::decay_t<decltype(v)>>) {
      std::string s = std::to_string(v);
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    } else {
      return std::to_string(v);
    }
  }

  SettingTable& add(OptionInfo info, Setter setter) {
    entries_.push_back({std::move(info), std::move(setter)});
    return *this;
  }

  const Entry* find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.info.name == name) return &e;
    }
    return nullptr;
  }

  std::vector<Entry> entries_;
};

}  // namespace endhost::core
