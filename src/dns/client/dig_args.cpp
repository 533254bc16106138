#include "dns/client/dig_args.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace endhost::dns::client {

namespace {

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool set_section(Display& d, std::string_view name, bool on) {
  if (name == "all") {
    d.cmd = d.comments = d.question = d.answer = d.authority = d.additional = d.stats = on;
  } else if (name == "answer") {
    d.answer = on;
  } else if (name == "question") {
    d.question = on;
  } else if (name == "authority") {
    d.authority = on;
  } else if (name == "additional") {
    d.additional = on;
  } else if (name == "comments") {
    d.comments = on;
  } else if (name == "stats") {
    d.stats = on;
  } else if (name == "cmd") {
    d.cmd = on;
  } else {
    return false;
  }
  return true;
}

Expected<void, std::string> plus_option(DigArgs& a, std::string_view word) {
  std::string_view opt = word.substr(1);
  std::string_view value;
  bool has_value = false;
  if (auto eq = opt.find('='); eq != std::string_view::npos) {
    value = opt.substr(eq + 1);
    opt = opt.substr(0, eq);
    has_value = true;
  }
  bool on = true;
  if (opt.rfind("no", 0) == 0) {
    on = false;
    opt.remove_prefix(2);
  }
  const auto bad_value = [&](const char* what) { return Unexpected("'" + std::string(word) + "': " + what); };
  if (opt == "short") {
    a.display.short_form = on;
  } else if (opt == "trace") {
    a.trace = on;
  } else if (opt == "recurse" || opt == "rec") {
    a.recurse = on;
  } else if (opt == "tcp" || opt == "vc") {
    a.tcp = on;
  } else if (opt == "edns") {
    a.edns = on;
  } else if (opt == "bufsize" && on) {
    auto n = has_value ? number<unsigned>(value) : std::nullopt;
    if (!n || *n < 512 || *n > 65535) return bad_value("the size must be 512 to 65535");
    a.bufsize = static_cast<std::uint16_t>(*n);
  } else if (opt == "time" && on) {
    auto n = has_value ? number<unsigned>(value) : std::nullopt;
    if (!n || *n == 0 || *n > 300) return bad_value("the time must be 1 to 300 seconds");
    a.timeout = *n;
  } else if ((opt == "tries" || opt == "retry") && on) {
    auto n = has_value ? number<int>(value) : std::nullopt;
    if (!n || *n < 1 || *n > 20) return bad_value("the count must be 1 to 20");
    a.tries = opt == "retry" ? *n + 1 : *n;
  } else if (!set_section(a.display, opt, on)) {
    return Unexpected("'" + std::string(word) +
                      "' is not a dig option this client knows (+short, +trace, +norecurse, +tcp, +noall "
                      "+answer, +[no]edns, +bufsize=N, +time=N, +tries=N)");
  }
  return {};
}

}  // namespace

Expected<std::string, std::string> reverse_name(std::string_view address) {
  const std::string text(address);
  unsigned char bytes[16];
  char buf[8];
  std::string name;
  if (::inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    for (int i = 3; i >= 0; --i) name += std::to_string(bytes[i]) + ".";
    return name + "in-addr.arpa.";
  }
  if (::inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    for (int i = 15; i >= 0; --i) {
      std::snprintf(buf, sizeof buf, "%x.%x.", bytes[i] & 0xf, bytes[i] >> 4);
      name += buf;
    }
    return name + "ip6.arpa.";
  }
  return Unexpected("-x '" + text + "': not an IPv4 or IPv6 address");
}

Expected<DigArgs, std::string> parse_dig_words(const std::vector<std::string>& words) {
  DigArgs a;
  // A type or class seen before any name (dig's "dig mx example.com"), for the next name.
  std::optional<RRType> pending_type;
  std::optional<RRClass> pending_class;
  std::string pending_typed;
  const auto add_name = [&](std::string name) {
    DigQuestion q;
    q.name = std::move(name);
    q.typed = q.name;
    if (pending_type) q.type = *pending_type;
    if (pending_class) q.klass = *pending_class;
    if (!pending_typed.empty()) q.typed = pending_typed + " " + q.typed;
    pending_type.reset();
    pending_class.reset();
    pending_typed.clear();
    a.questions.push_back(std::move(q));
  };
  // A type or class after a name is that name's (a later one wins, as in dig); before any name, the next's.
  const auto set_type = [&](RRType t, const std::string& word) {
    if (!a.questions.empty()) {
      a.questions.back().type = t;
      a.questions.back().typed += " " + word;
    } else {
      pending_type = t;
      pending_typed += (pending_typed.empty() ? "" : " ") + word;
    }
  };
  const auto set_class = [&](RRClass c, const std::string& word) {
    if (!a.questions.empty()) {
      a.questions.back().klass = c;
      a.questions.back().typed += " " + word;
    } else {
      pending_class = c;
      pending_typed += (pending_typed.empty() ? "" : " ") + word;
    }
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    // -pVALUE or -p VALUE, as dig reads its dash options.
    const auto value_of = [&](const char* what) -> Expected<std::string, std::string> {
      if (w.size() > 2) return w.substr(2);
      if (i + 1 >= words.size()) return Unexpected(std::string(w) + " needs " + what);
      return words[++i];
    };
    if (w.size() > 1 && w[0] == '@') {
      a.server = w.substr(1);
    } else if (w.size() > 1 && w[0] == '+') {
      if (auto ok = plus_option(a, w); !ok) return Unexpected(ok.error());
    } else if (w.size() >= 2 && w[0] == '-' && w[1] == 'p') {
      auto v = value_of("a port number");
      if (!v) return Unexpected(v.error());
      auto port = number<unsigned>(*v);
      if (!port || *port == 0 || *port > 65535)
        return Unexpected("-p '" + *v + "': not a port number (1-65535)");
      a.port = static_cast<std::uint16_t>(*port);
    } else if (w.size() >= 2 && w[0] == '-' && w[1] == 'x') {
      auto v = value_of("an address");
      if (!v) return Unexpected(v.error());
      auto name = reverse_name(*v);
      if (!name) return Unexpected(name.error());
      const bool typed = pending_type.has_value();
      add_name(*name);
      if (!typed) a.questions.back().type = RRType::PTR;
      a.questions.back().typed = "-x " + *v;
    } else if (w.size() >= 2 && w[0] == '-' && w[1] == 't') {
      auto v = value_of("a record type");
      if (!v) return Unexpected(v.error());
      auto t = rrtype_from_string(*v);
      if (!t) return Unexpected("-t '" + *v + "' is not a record type (A, AAAA, MX, NS, SOA, TXT, TYPE65…)");
      set_type(*t, *v);
    } else if (w.size() >= 2 && w[0] == '-' && w[1] == 'c') {
      auto v = value_of("a class");
      if (!v) return Unexpected(v.error());
      auto c = rrclass_from_string(*v);
      if (!c) return Unexpected("-c '" + *v + "' is not a class (IN, CH, HS)");
      set_class(*c, *v);
    } else if (w.size() >= 2 && w[0] == '-' && w[1] == 'q') {
      auto v = value_of("a name");
      if (!v) return Unexpected(v.error());
      add_name(*v);
    } else if (w.size() > 1 && w[0] == '-') {
      return Unexpected("'" + w +
                        "' is not an option of endhost dns query (dig's -p, -x, -t, -c, -q, or --help)");
    } else if (auto t = rrtype_from_string(w)) {
      set_type(*t, w);
    } else if (auto c = rrclass_from_string(w)) {
      set_class(*c, w);
    } else {
      add_name(w);
    }
  }
  // "dig MX" alone: a type with no name asks about the root.
  if ((pending_type || pending_class) && a.questions.empty()) add_name(".");
  if (a.questions.empty()) {
    add_name(".");
    a.questions.back().type = RRType::NS;
    a.questions.back().typed = ". NS";
  }
  if (a.display.short_form) {
    // +short: answers only, without the comments; as dig, +short wins over section switches.
    a.display.cmd = a.display.comments = a.display.question = a.display.authority = a.display.additional =
        a.display.stats = false;
    a.display.answer = true;
  }
  return a;
}

Expected<std::string, std::string> trace_root_hints(const std::string& given, bool system_hints_exist,
                                                    const std::string& system_hints) {
  if (!given.empty()) return given;
  if (system_hints_exist) return system_hints;
  return Unexpected("--trace starts from the root servers: give --root-hints FILE (" + system_hints +
                    " is not installed: Debian package dns-root-data)");
}

}  // namespace endhost::dns::client
