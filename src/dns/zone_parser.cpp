#include "dns/zone_parser.hpp"

#include <cctype>

#include "dns/address.hpp"
#include "dns/rdata.hpp"

namespace endhost::dns {

std::string ZoneError::to_string() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

std::optional<Ttl> parse_ttl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0, current = 0;
  bool digits = false, units = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      current = current * 10 + static_cast<std::uint64_t>(c - '0');
      if (current > kMaxTtl) return std::nullopt;
      digits = true;
      continue;
    }
    std::uint64_t mult;
    switch (c) {
      case 's':
      case 'S':
        mult = 1;
        break;
      case 'm':
      case 'M':
        mult = 60;
        break;
      case 'h':
      case 'H':
        mult = 3600;
        break;
      case 'd':
      case 'D':
        mult = 86400;
        break;
      case 'w':
      case 'W':
        mult = 604800;
        break;
      default:
        return std::nullopt;
    }
    if (!digits) return std::nullopt;
    total += current * mult;
    if (total > kMaxTtl) return std::nullopt;
    current = 0;
    digits = false;
    units = true;
  }
  if (!units && !digits) return std::nullopt;
  total += current;  // "1h30" means 1h + 30s, as BIND reads it
  if (total > kMaxTtl) return std::nullopt;
  return Ttl{static_cast<std::uint32_t>(total)};
}

namespace {

struct Token {
  std::string_view text;  // unquoted: raw with escapes; quoted: between the quotes, escapes unprocessed
  bool quoted = false;
  std::size_t line = 0;
};

struct Entry {
  std::vector<Token> tokens;
  bool blank_owner = false;  // the entry's first line began with white space
  std::size_t line = 0;
};

struct ParseFailure {
  std::size_t line;
  std::string message;
};
using Step = endhost::Expected<void, ParseFailure>;
endhost::Unexpected<ParseFailure> failure(std::size_t line, std::string message) {
  return endhost::Unexpected(ParseFailure{line, std::move(message)});
}

// Splits one file into entries (RFC 1035 §5.1: one per line, except inside parentheses).
class Tokenizer {
 public:
  Tokenizer(std::string_view text, std::size_t max_line) : text_(text), max_line_(max_line) {}

  // Fills `e` with the next non-empty entry; returns false at the end of the text.
  endhost::Expected<bool, ParseFailure> next(Entry& e) {
    e.tokens.clear();
    int depth = 0;
    std::size_t paren_line = 0;
    bool at_line_start = true;
    while (pos_ < text_.size()) {
      if (pos_ - line_start_ > max_line_)
        return failure(line_, "line longer than " + std::to_string(max_line_) + " octets");
      char c = text_[pos_];
      if (at_line_start && depth == 0 && e.tokens.empty()) {
        e.blank_owner = (c == ' ' || c == '\t');
        e.line = line_;
        at_line_start = false;
      }
      switch (c) {
        case '\n':
          ++pos_;
          ++line_;
          line_start_ = pos_;
          if (depth == 0) {
            if (!e.tokens.empty()) return true;
            at_line_start = true;
          }
          continue;
        case ' ':
        case '\t':
        case '\r':
          ++pos_;
          continue;
        case ';':
          while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
          continue;
        case '(':
          if (depth == 0) paren_line = line_;
          ++depth;
          ++pos_;
          continue;
        case ')':
          if (depth == 0) return failure(line_, "')' without a matching '('");
          --depth;
          ++pos_;
          continue;
        case '"': {
          std::size_t start = ++pos_;
          while (pos_ < text_.size() && text_[pos_] != '"') {
            if (text_[pos_] == '\n') return failure(line_, "unterminated quoted string");
            pos_ += text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n' ? 2 : 1;
          }
          if (pos_ >= text_.size()) return failure(line_, "unterminated quoted string");
          e.tokens.push_back(Token{text_.substr(start, pos_ - start), true, line_});
          ++pos_;
          continue;
        }
        default: {
          std::size_t start = pos_;
          while (pos_ < text_.size()) {
            char d = text_[pos_];
            if (d == '\\') {
              if (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\n')
                return failure(line_, "backslash at end of line");
              pos_ += 2;
              continue;
            }
            if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == ';' || d == '(' || d == ')' ||
                d == '"')
              break;
            ++pos_;
          }
          e.tokens.push_back(Token{text_.substr(start, pos_ - start), false, line_});
          continue;
        }
      }
    }
    if (depth > 0) return failure(paren_line, "'(' is never closed");
    return !e.tokens.empty();
  }

 private:
  std::string_view text_;
  std::size_t max_line_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;
};

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Text of a <character-string> (RFC 1035 §5.1) with escapes resolved.
endhost::Expected<std::string, std::string> char_string(const Token& t) {
  std::string out;
  for (std::size_t i = 0; i < t.text.size(); ++i) {
    char c = t.text[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= t.text.size()) return endhost::Unexpected(std::string("dangling backslash in string"));
    if (std::isdigit(static_cast<unsigned char>(t.text[i + 1]))) {
      if (i + 3 >= t.text.size() || !std::isdigit(static_cast<unsigned char>(t.text[i + 2])) ||
          !std::isdigit(static_cast<unsigned char>(t.text[i + 3])))
        return endhost::Unexpected(std::string("\\DDD escape needs three digits"));
      int v = (t.text[i + 1] - '0') * 100 + (t.text[i + 2] - '0') * 10 + (t.text[i + 3] - '0');
      if (v > 255) return endhost::Unexpected(std::string("\\DDD escape above 255"));
      out += static_cast<char>(v);
      i += 3;
    } else {
      out += t.text[++i];
    }
  }
  if (out.size() > 255)
    return endhost::Unexpected("character string longer than 255 octets: " + quote(t.text));
  return out;
}

std::optional<std::uint32_t> parse_uint(std::string_view s, std::uint32_t max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct RdataFailure {
  std::size_t line;
  std::string message;
};

class RdataParser {
 public:
  RdataParser(RRType type, std::span<const Token> tokens, const Name& origin, std::size_t line)
      : type_(type), tokens_(tokens), origin_(origin), line_(line) {}

  endhost::Expected<Rdata, ParseFailure> parse() {
    if (!tokens_.empty() && !tokens_[0].quoted && tokens_[0].text == "\\#") return generic();
    const std::string tname = to_string(type_);
    switch (type_) {
      case RRType::A: {
        auto t = one("an IPv4 address");
        if (!t) return Unexpected(t.error());
        auto a = parse_ipv4((*t)->text);
        if (!a) return fail_at(**t, "bad IPv4 address " + quote((*t)->text));
        return Rdata(rdata::A{*a});
      }
      case RRType::AAAA: {
        auto t = one("an IPv6 address");
        if (!t) return Unexpected(t.error());
        auto a = parse_ipv6((*t)->text);
        if (!a) return fail_at(**t, "bad IPv6 address " + quote((*t)->text));
        return Rdata(rdata::Aaaa{*a});
      }
      case RRType::NS:
      case RRType::CNAME:
      case RRType::PTR: {
        auto t = one("a domain name");
        if (!t) return Unexpected(t.error());
        auto n = name(**t);
        if (!n) return Unexpected(n.error());
        if (type_ == RRType::NS) return Rdata(rdata::Ns{*n});
        if (type_ == RRType::CNAME) return Rdata(rdata::Cname{*n});
        return Rdata(rdata::Ptr{*n});
      }
      case RRType::MX: {
        if (auto c = count(2, "preference and exchange"); !c) return Unexpected(c.error());
        auto pref = number(tokens_[0], 0xFFFF, "MX preference");
        if (!pref) return Unexpected(pref.error());
        auto n = name(tokens_[1]);
        if (!n) return Unexpected(n.error());
        return Rdata(rdata::Mx{static_cast<std::uint16_t>(*pref), *n});
      }
      case RRType::SRV: {
        if (auto c = count(4, "priority, weight, port and target"); !c) return Unexpected(c.error());
        rdata::Srv v;
        const char* what[] = {"SRV priority", "SRV weight", "SRV port"};
        std::uint16_t* field[] = {&v.priority, &v.weight, &v.port};
        for (int i = 0; i < 3; ++i) {
          auto x = number(tokens_[i], 0xFFFF, what[i]);
          if (!x) return Unexpected(x.error());
          *field[i] = static_cast<std::uint16_t>(*x);
        }
        auto n = name(tokens_[3]);
        if (!n) return Unexpected(n.error());
        v.target = *n;
        return Rdata(v);
      }
      case RRType::SOA: {
        if (auto c = count(7, "MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM"); !c)
          return Unexpected(c.error());
        rdata::Soa v;
        auto m = name(tokens_[0]);
        if (!m) return Unexpected(m.error());
        auto r = name(tokens_[1]);
        if (!r) return Unexpected(r.error());
        v.mname = *m;
        v.rname = *r;
        auto serial = number(tokens_[2], 0xFFFFFFFFu, "SOA serial");
        if (!serial) return Unexpected(serial.error());
        v.serial = *serial;
        const char* what[] = {"SOA refresh", "SOA retry", "SOA expire", "SOA minimum"};
        std::uint32_t* field[] = {&v.refresh, &v.retry, &v.expire, &v.minimum};
        for (int i = 0; i < 4; ++i) {
          auto t = parse_ttl(tokens_[3 + i].text);
          if (!t || tokens_[3 + i].quoted)
            return fail_at(tokens_[3 + i], std::string("bad ") + what[i] + " " + quote(tokens_[3 + i].text));
          *field[i] = t->seconds;
        }
        return Rdata(v);
      }
      case RRType::TXT: {
        if (tokens_.empty()) return failure(line_, "TXT needs at least one string");
        rdata::Txt v;
        for (const auto& t : tokens_) {
          auto s = char_string(t);
          if (!s) return failure(t.line, s.error());
          v.strings.push_back(std::move(*s));
        }
        return Rdata(std::move(v));
      }
      case RRType::OPT:
        return failure(line_, "OPT is a pseudo-record and cannot appear in a zone file");
      default:
        return failure(line_, "no presentation format for " + tname +
                                  " here; use the RFC 3597 form '\\# <length> <hex>'");
    }
  }

 private:
  endhost::Unexpected<ParseFailure> fail_at(const Token& t, std::string m) {
    return failure(t.line, std::move(m));
  }

  endhost::Expected<void, ParseFailure> count(std::size_t n, const char* what) {
    if (tokens_.size() < n) return failure(line_, to_string(type_) + " needs " + what);
    if (tokens_.size() > n)
      return failure(tokens_[n].line,
                     "unexpected " + quote(tokens_[n].text) + " after " + to_string(type_) + " RDATA");
    return {};
  }
  endhost::Expected<const Token*, ParseFailure> one(const char* what) {
    if (auto c = count(1, what); !c) return Unexpected(c.error());
    return &tokens_[0];
  }
  endhost::Expected<std::uint32_t, ParseFailure> number(const Token& t, std::uint32_t max, const char* what) {
    auto v = t.quoted ? std::nullopt : parse_uint(t.text, max);
    if (!v) return fail_at(t, std::string("bad ") + what + " " + quote(t.text));
    return *v;
  }
  endhost::Expected<Name, ParseFailure> name(const Token& t) {
    if (t.quoted) return fail_at(t, "a domain name cannot be quoted: " + quote(t.text));
    if (t.text == "@") return origin_;
    auto n = Name::from_string(t.text, origin_);
    if (!n) return fail_at(t, std::string("bad domain name ") + quote(t.text) + ": " + n.error().reason);
    return *n;
  }
  // RFC 3597 §5: \# <length> <hex words…>.
  endhost::Expected<Rdata, ParseFailure> generic() {
    if (tokens_.size() < 2) return failure(line_, "'\\#' needs a length");
    auto len = parse_uint(tokens_[1].text, 0xFFFF);
    if (!len || tokens_[1].quoted) return fail_at(tokens_[1], "bad '\\#' length " + quote(tokens_[1].text));
    std::vector<std::uint8_t> data;
    int pending = -1;
    for (std::size_t i = 2; i < tokens_.size(); ++i) {
      for (char c : tokens_[i].text) {
        int h = hex_value(c);
        if (h < 0 || tokens_[i].quoted)
          return fail_at(tokens_[i], "bad hex in '\\#' RDATA: " + quote(tokens_[i].text));
        if (pending < 0) {
          pending = h;
        } else {
          data.push_back(static_cast<std::uint8_t>(pending << 4 | h));
          pending = -1;
        }
      }
    }
    if (pending >= 0) return failure(line_, "odd number of hex digits in '\\#' RDATA");
    if (data.size() != *len)
      return failure(line_, "'\\#' length " + std::to_string(*len) + " but " + std::to_string(data.size()) +
                                " octets of hex");
    if (!has_typed_rdata(type_)) return Rdata(rdata::Unknown{std::move(data)});
    if (type_ == RRType::OPT)
      return failure(line_, "OPT is a pseudo-record and cannot appear in a zone file");
    auto rd = decode_rdata(type_, data);
    if (!rd) return failure(line_, "'\\#' RDATA is not valid " + to_string(type_) + ": " + rd.error().reason);
    return std::move(*rd);
  }

  RRType type_;
  std::span<const Token> tokens_;
  const Name& origin_;
  std::size_t line_;
};

std::string directory_of(std::string_view file) {
  auto slash = file.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(file.substr(0, slash + 1));
}

class Parser {
 public:
  Parser(const ZoneParseOptions& o, const RecordSink& sink)
      : opt_(o), sink_(sink), origin_(o.origin), default_ttl_(o.default_ttl) {}

  endhost::Expected<void, ZoneError> file(std::string_view text, const std::string& file_name,
                                          std::size_t depth) {
    total_bytes_ += text.size();
    if (total_bytes_ > opt_.limits.max_file_bytes)
      return endhost::Unexpected(ZoneError{
          file_name, 0, "zone larger than " + std::to_string(opt_.limits.max_file_bytes) + " octets"});
    Tokenizer tok(text, opt_.limits.max_line_length);
    Entry e;
    while (true) {
      auto more = tok.next(e);
      if (!more) return endhost::Unexpected(ZoneError{file_name, more.error().line, more.error().message});
      if (!*more) return {};
      auto r = entry(e, file_name, depth);
      if (!r) return r;
    }
  }

 private:
  endhost::Expected<void, ZoneError> entry(const Entry& e, const std::string& file_name, std::size_t depth) {
    auto err = [&](std::size_t line, std::string m) {
      return endhost::Unexpected(ZoneError{file_name, line, std::move(m)});
    };
    const Token& first = e.tokens[0];
    if (!e.blank_owner && !first.quoted && !first.text.empty() && first.text[0] == '$')
      return directive(e, file_name, depth);
    auto rec = record(e);
    if (!rec) return err(rec.error().line, rec.error().message);
    if (++records_ > opt_.limits.max_records)
      return err(e.line, "more than " + std::to_string(opt_.limits.max_records) + " records");
    if (sink_) {
      if (auto s = sink_(std::move(*rec)); !s) return err(e.line, s.error());
    }
    return {};
  }

  endhost::Expected<void, ZoneError> directive(const Entry& e, const std::string& file_name,
                                               std::size_t depth) {
    auto err = [&](std::size_t line, std::string m) {
      return endhost::Unexpected(ZoneError{file_name, line, std::move(m)});
    };
    std::string_view d = e.tokens[0].text;
    auto is = [&](std::string_view n) {
      if (d.size() != n.size()) return false;
      for (std::size_t i = 0; i < n.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(d[i])) != n[i]) return false;
      }
      return true;
    };
    if (is("$ORIGIN")) {
      if (e.tokens.size() != 2) return err(e.line, "$ORIGIN needs exactly one domain name");
      auto n = Name::from_string(e.tokens[1].text, origin_);
      if (!n)
        return err(e.line, std::string("bad $ORIGIN ") + quote(e.tokens[1].text) + ": " + n.error().reason);
      origin_ = *n;
      return {};
    }
    if (is("$TTL")) {
      if (e.tokens.size() != 2) return err(e.line, "$TTL needs exactly one TTL");
      auto t = parse_ttl(e.tokens[1].text);
      if (!t) return err(e.line, "bad $TTL " + quote(e.tokens[1].text));
      default_ttl_ = *t;
      return {};
    }
    if (is("$INCLUDE")) {
      if (e.tokens.size() < 2 || e.tokens.size() > 3)
        return err(e.line, "$INCLUDE needs a file name and an optional origin");
      if (!opt_.include_loader) return err(e.line, "$INCLUDE is not allowed here");
      if (depth + 1 > opt_.limits.max_include_depth)
        return err(e.line, "$INCLUDE nested deeper than " + std::to_string(opt_.limits.max_include_depth));
      std::string path(e.tokens[1].text);
      if (path.empty() || path[0] != '/') path = directory_of(file_name) + path;
      Name saved_origin = origin_;
      std::optional<Name> saved_owner = last_owner_;
      if (e.tokens.size() == 3) {
        auto n = Name::from_string(e.tokens[2].text, origin_);
        if (!n)
          return err(e.line,
                     std::string("bad $INCLUDE origin ") + quote(e.tokens[2].text) + ": " + n.error().reason);
        origin_ = *n;
      }
      auto content = opt_.include_loader(path);
      if (!content) return err(e.line, "cannot $INCLUDE " + quote(path) + ": " + content.error());
      auto r = file(*content, path, depth + 1);
      if (!r) return r;
      // RFC 1035 §5.1: the origin reverts when the included file ends.
      origin_ = saved_origin;
      last_owner_ = saved_owner;
      return {};
    }
    return err(e.line, "unknown or unsupported directive " + quote(d));
  }

  endhost::Expected<ResourceRecord, ParseFailure> record(const Entry& e) {
    std::size_t i = 0;
    ResourceRecord rr;
    if (e.blank_owner) {
      if (!last_owner_) return failure(e.line, "record without an owner name and no previous owner");
      rr.name = *last_owner_;
    } else {
      const Token& t = e.tokens[i++];
      if (t.quoted) return failure(t.line, "an owner name cannot be quoted");
      if (t.text == "@") {
        rr.name = origin_;
      } else {
        auto n = Name::from_string(t.text, origin_);
        if (!n)
          return failure(t.line, std::string("bad owner name ") + quote(t.text) + ": " + n.error().reason);
        rr.name = *n;
      }
    }
    std::optional<Ttl> ttl;
    std::optional<RRClass> klass;
    // RFC 1035 §5.1: [<TTL>] [<class>] or [<class>] [<TTL>] before the type.
    for (int k = 0; k < 2 && i < e.tokens.size(); ++k) {
      const Token& t = e.tokens[i];
      if (t.quoted) break;
      if (!ttl && !t.text.empty() && std::isdigit(static_cast<unsigned char>(t.text[0]))) {
        ttl = parse_ttl(t.text);
        if (!ttl) return failure(t.line, "bad TTL " + quote(t.text));
        ++i;
      } else if (auto c = klass ? std::nullopt : rrclass_from_string(t.text)) {
        klass = c;
        ++i;
      } else {
        break;
      }
    }
    if (i >= e.tokens.size()) return failure(e.line, "record has no type");
    const Token& tt = e.tokens[i++];
    auto type = tt.quoted ? std::nullopt : rrtype_from_string(tt.text);
    if (!type) return failure(tt.line, "unknown type " + quote(tt.text));
    rr.type = *type;
    if (klass && *klass != RRClass::IN)
      return failure(e.line, "class " + to_string(*klass) + " is not supported (only IN)");
    rr.klass = RRClass::IN;
    RdataParser rp(rr.type, std::span<const Token>(e.tokens).subspan(i), origin_, e.line);
    auto rd = rp.parse();
    if (!rd) return Unexpected(rd.error());
    rr.rdata = std::move(*rd);
    // TTL: explicit, else $TTL (RFC 2308 §4), else the previous record's (RFC 1035 §5.1); a first SOA
    // without either takes its MINIMUM, as BIND does for old zone files.
    if (ttl) {
      rr.ttl = *ttl;
      last_ttl_ = *ttl;
    } else if (default_ttl_) {
      rr.ttl = *default_ttl_;
    } else if (last_ttl_) {
      rr.ttl = *last_ttl_;
    } else if (const auto* soa = std::get_if<rdata::Soa>(&rr.rdata)) {
      rr.ttl = Ttl{soa->minimum};
      last_ttl_ = rr.ttl;
    } else {
      return failure(e.line, "no TTL: give one, or a $TTL directive before this record");
    }
    last_owner_ = rr.name;
    return rr;
  }

  const ZoneParseOptions& opt_;
  const RecordSink& sink_;
  Name origin_;
  std::optional<Ttl> default_ttl_;
  std::optional<Ttl> last_ttl_;
  std::optional<Name> last_owner_;
  std::size_t records_ = 0;
  std::size_t total_bytes_ = 0;
};

}  // namespace

endhost::Expected<void, ZoneError> parse_master_file(std::string_view text, std::string_view file_name,
                                                     const ZoneParseOptions& options,
                                                     const RecordSink& sink) {
  Parser p(options, sink);
  return p.file(text, std::string(file_name), 0);
}

endhost::Expected<std::vector<ResourceRecord>, ZoneError> parse_master_file(std::string_view text,
                                                                            std::string_view file_name,
                                                                            const ZoneParseOptions& options) {
  std::vector<ResourceRecord> out;
  RecordSink sink = [&](ResourceRecord&& rr) -> endhost::Expected<void, std::string> {
    out.push_back(std::move(rr));
    return {};
  };
  auto r = parse_master_file(text, file_name, options, sink);
  if (!r) return endhost::Unexpected(r.error());
  return out;
}

endhost::Expected<Zone, ZoneError> load_zone(std::string_view text, std::string_view file_name,
                                             const ZoneParseOptions& options) {
  ZoneBuilder builder(options.origin);
  RecordSink sink = [&](ResourceRecord&& rr) { return builder.add(rr); };
  auto r = parse_master_file(text, file_name, options, sink);
  if (!r) return endhost::Unexpected(r.error());
  auto zone = std::move(builder).finish();
  if (!zone) return endhost::Unexpected(ZoneError{std::string(file_name), 0, zone.error()});
  return std::move(*zone);
}

}  // namespace endhost::dns
