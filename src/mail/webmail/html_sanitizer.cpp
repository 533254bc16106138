#include "mail/webmail/html_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace endhost::mail::webmail {

namespace {

// What happens to an element, by name. Anything not listed loses its tags and keeps its content (html,
// body, head, form, center's relatives, custom elements…).
enum class Kind : std::uint8_t {
  Unknown,
  Allowed,     // kept, with its allowed attributes
  Void,        // kept, no end tag (WHATWG §13.1.2 void elements we allow)
  RawDrop,     // raw text content (script, style…): dropped with everything up to its end tag
  NestedDrop,  // markup content that must not be shown (svg, math, object…): dropped to the matching end
};

struct ElementRule {
  std::string_view name;
  Kind kind;
};

// Sorted by name for binary search.
constexpr std::array kElements = std::to_array<ElementRule>({
    {"a", Kind::Allowed},
    {"abbr", Kind::Allowed},
    {"address", Kind::Allowed},
    {"applet", Kind::NestedDrop},
    {"audio", Kind::NestedDrop},
    {"b", Kind::Allowed},
    {"bdi", Kind::Allowed},
    {"bdo", Kind::Allowed},
    {"big", Kind::Allowed},
    {"blockquote", Kind::Allowed},
    {"br", Kind::Void},
    {"canvas", Kind::NestedDrop},
    {"caption", Kind::Allowed},
    {"center", Kind::Allowed},
    {"cite", Kind::Allowed},
    {"code", Kind::Allowed},
    {"col", Kind::Void},
    {"colgroup", Kind::Allowed},
    {"dd", Kind::Allowed},
    {"del", Kind::Allowed},
    {"details", Kind::Allowed},
    {"dfn", Kind::Allowed},
    {"div", Kind::Allowed},
    {"dl", Kind::Allowed},
    {"dt", Kind::Allowed},
    {"em", Kind::Allowed},
    {"embed", Kind::NestedDrop},
    {"font", Kind::Allowed},
    {"frameset", Kind::NestedDrop},
    {"h1", Kind::Allowed},
    {"h2", Kind::Allowed},
    {"h3", Kind::Allowed},
    {"h4", Kind::Allowed},
    {"h5", Kind::Allowed},
    {"h6", Kind::Allowed},
    {"hr", Kind::Void},
    {"i", Kind::Allowed},
    {"iframe", Kind::RawDrop},
    {"img", Kind::Void},
    {"ins", Kind::Allowed},
    {"kbd", Kind::Allowed},
    {"li", Kind::Allowed},
    {"mark", Kind::Allowed},
    {"math", Kind::NestedDrop},
    {"noembed", Kind::RawDrop},
    {"noframes", Kind::RawDrop},
    {"noscript", Kind::RawDrop},
    {"object", Kind::NestedDrop},
    {"ol", Kind::Allowed},
    {"p", Kind::Allowed},
    {"plaintext", Kind::RawDrop},
    {"pre", Kind::Allowed},
    {"q", Kind::Allowed},
    {"s", Kind::Allowed},
    {"samp", Kind::Allowed},
    {"script", Kind::RawDrop},
    {"select", Kind::NestedDrop},
    {"small", Kind::Allowed},
    {"span", Kind::Allowed},
    {"strike", Kind::Allowed},
    {"strong", Kind::Allowed},
    {"style", Kind::RawDrop},
    {"sub", Kind::Allowed},
    {"summary", Kind::Allowed},
    {"sup", Kind::Allowed},
    {"svg", Kind::NestedDrop},
    {"table", Kind::Allowed},
    {"tbody", Kind::Allowed},
    {"td", Kind::Allowed},
    {"template", Kind::NestedDrop},
    {"textarea", Kind::RawDrop},
    {"tfoot", Kind::Allowed},
    {"th", Kind::Allowed},
    {"thead", Kind::Allowed},
    {"title", Kind::RawDrop},
    {"tr", Kind::Allowed},
    {"tt", Kind::Allowed},
    {"u", Kind::Allowed},
    {"ul", Kind::Allowed},
    {"var", Kind::Allowed},
    {"video", Kind::NestedDrop},
    {"wbr", Kind::Void},
    {"xmp", Kind::RawDrop},
});

Kind element_kind(std::string_view name) {
  auto it = std::lower_bound(kElements.begin(), kElements.end(), name,
                             [](const ElementRule& r, std::string_view n) { return r.name < n; });
  return it != kElements.end() && it->name == name ? it->kind : Kind::Unknown;
}

// Presentational attributes every kept element may have; href, src and style have rules of their own. No
// id, name or class (DOM clobbering, and the frame's own CSS), nothing starting with "on".
constexpr std::array<std::string_view, 26> kPlainAttributes = {
    "abbr",    "align", "alt",  "bgcolor", "border", "cellpadding", "cellspacing", "color",  "cols",
    "colspan", "dir",   "face", "headers", "height", "hspace",      "lang",        "nowrap", "rows",
    "rowspan", "scope", "size", "span",    "start",  "summary",     "title",       "valign"};
constexpr std::array<std::string_view, 4> kMorePlainAttributes = {"type", "vspace", "width", "reversed"};

bool plain_attribute(std::string_view name) {
  return std::find(kPlainAttributes.begin(), kPlainAttributes.end(), name) != kPlainAttributes.end() ||
         std::find(kMorePlainAttributes.begin(), kMorePlainAttributes.end(), name) !=
             kMorePlainAttributes.end();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}
bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != prefix[i]) return false;
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct NamedEntity {
  std::string_view name;
  std::uint32_t cp;
};
// The named references mail uses, and those that spell URL syntax (a scheme hidden as `javascript&colon;`
// is decoded here, so the check below sees what a browser would). Anything else stays as written, and is
// then escaped on output, so the browser shows it literally: what is checked is what is shown.
constexpr std::array kNamed = std::to_array<NamedEntity>({
    {"AMP", '&'},      {"GT", '>'},       {"LT", '<'},       {"NewLine", '\n'}, {"QUOT", '"'},
    {"Tab", '\t'},     {"amp", '&'},      {"apos", '\''},    {"colon", ':'},    {"comma", ','},
    {"copy", 0xA9},    {"equals", '='},   {"excl", '!'},     {"gt", '>'},       {"hellip", 0x2026},
    {"laquo", 0xAB},   {"ldquo", 0x201C}, {"lpar", '('},     {"lsquo", 0x2018}, {"lt", '<'},
    {"mdash", 0x2014}, {"nbsp", 0xA0},    {"ndash", 0x2013}, {"num", '#'},      {"period", '.'},
    {"quest", '?'},    {"quot", '"'},     {"raquo", 0xBB},   {"rdquo", 0x201D}, {"reg", 0xAE},
    {"rpar", ')'},     {"rsquo", 0x2019}, {"semi", ';'},     {"sol", '/'},      {"trade", 0x2122},
});

// The length of a character reference at text[0] == '&' that text nodes may keep as written (the browser
// decodes it to a character, which in text is only ever shown), or 0.
std::size_t keepable_reference(std::string_view text) {
  std::size_t i = 1;
  if (i < text.size() && text[i] == '#') {
    ++i;
    const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
    if (hex) ++i;
    const std::size_t start = i;
    while (i < text.size() && i - start < 8 &&
           (is_digit(text[i]) ||
            (hex && std::string_view("abcdefABCDEF").find(text[i]) != std::string_view::npos)))
      ++i;
    if (i == start) return 0;
  } else {
    const std::size_t start = i;
    while (i < text.size() && i - start < 32 && (is_alpha(text[i]) || is_digit(text[i]))) ++i;
    if (i == start || !is_alpha(text[start])) return 0;
  }
  return i < text.size() && text[i] == ';' ? i + 1 : 0;
}

int hex_value(char c) {
  c = lower(c);
  if (is_digit(c)) return c - '0';
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

class Sanitizer {
 public:
  Sanitizer(std::string_view in, const SanitizeOptions& options) : in_(in), options_(options) {}

  SanitizedHtml run() {
    while (pos_ < in_.size()) {
      const std::size_t lt = in_.find('<', pos_);
      text(in_.substr(pos_, lt == std::string_view::npos ? std::string_view::npos : lt - pos_));
      if (lt == std::string_view::npos) break;
      pos_ = lt;
      markup();
    }
    while (!open_.empty()) close_top();
    return std::move(result_);
  }

 private:
  struct Attribute {
    std::string name;   // lower case
    std::string value;  // entities decoded
  };
  struct Tag {
    std::string name;  // lower case
    std::vector<Attribute> attributes;
    bool end = false;
  };

  void text(std::string_view t) {
    if (skip_depth_ > 0) return;
    std::string& out = result_.html;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      if (c == '&') {
        const std::size_t n = keepable_reference(t.substr(i));
        if (n > 0) {
          out.append(t.substr(i, n));
          i += n - 1;
        } else {
          out += "&amp;";
        }
      } else if (c == '<') {
        out += "&lt;";
      } else if (c == '>') {
        out += "&gt;";
      } else if (c != '\0') {
        out += c;
      }
    }
  }

  // At '<'. Consumes one tag, comment or declaration, or the '<' alone as text.
  void markup() {
    const std::string_view rest = in_.substr(pos_);
    if (rest.starts_with("<!--")) {
      // WHATWG §13.2.5.43: "<!-->" and "<!--->" end at once; otherwise "-->" (or the end) does. The
      // comment is dropped either way, so a reading that differs from the browser's drops more, never less.
      std::size_t end;
      if (rest.starts_with("<!-->")) {
        end = 5;
      } else if (rest.starts_with("<!--->")) {
        end = 6;
      } else {
        const std::size_t close = rest.find("-->", 4);
        end = close == std::string_view::npos ? rest.size() : close + 3;
      }
      pos_ += end;
      return;
    }
    if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?' ||
                             (rest[1] == '/' && rest.size() >= 3 && !is_alpha(rest[2]) && rest[2] != '>'))) {
      // A doctype, CDATA, processing instruction or bogus comment: up to the next '>' (§13.2.5.41).
      const std::size_t close = rest.find('>');
      pos_ += close == std::string_view::npos ? rest.size() : close + 1;
      return;
    }
    const bool end = rest.size() >= 2 && rest[1] == '/';
    const std::size_t name_at = end ? 2 : 1;
    if (rest.size() <= name_at || !is_alpha(rest[name_at])) {
      if (end && rest.size() > 2 && rest[2] == '>') {  // "</>" is dropped (§13.2.5.7)
        pos_ += 3;
        return;
      }
      text("<");
      ++pos_;
      return;
    }
    Tag tag;
    tag.end = end;
    std::size_t i = name_at;
    while (i < rest.size() && !is_space(rest[i]) && rest[i] != '/' && rest[i] != '>')
      tag.name += lower(rest[i++]);
    if (!attributes(rest, i, tag)) {  // the input ended inside the tag: the tag is dropped (§13.2.5.32)
      pos_ = in_.size();
      return;
    }
    pos_ += i;
    handle(tag);
  }

  // Reads attributes from rest[i] to the '>' that ends the tag; false when the input ends first.
  bool attributes(std::string_view rest, std::size_t& i, Tag& tag) {
    for (;;) {
      while (i < rest.size() && (is_space(rest[i]) || rest[i] == '/')) ++i;
      if (i >= rest.size()) return false;
      if (rest[i] == '>') {
        ++i;
        return true;
      }
      std::string name;
      // A first '=' belongs to the name (§13.2.5.33).
      do {
        name += lower(rest[i++]);
      } while (i < rest.size() && !is_space(rest[i]) && rest[i] != '/' && rest[i] != '>' && rest[i] != '=');
      std::size_t j = i;
      while (j < rest.size() && is_space(rest[j])) ++j;
      std::string_view raw;
      if (j < rest.size() && rest[j] == '=') {
        ++j;
        while (j < rest.size() && is_space(rest[j])) ++j;
        if (j >= rest.size()) return false;
        if (rest[j] == '"' || rest[j] == '\'') {
          const std::size_t close = rest.find(rest[j], j + 1);
          if (close == std::string_view::npos) return false;
          raw = rest.substr(j + 1, close - j - 1);
          j = close + 1;
        } else {
          const std::size_t start = j;
          while (j < rest.size() && !is_space(rest[j]) && rest[j] != '>') ++j;
          raw = rest.substr(start, j - start);
        }
        i = j;
      }
      // The first of a repeated name counts (§13.2.5.33); the tag's attributes are bounded by the input.
      const bool seen = std::any_of(tag.attributes.begin(), tag.attributes.end(),
                                    [&](const Attribute& a) { return a.name == name; });
      if (!seen && !tag.end) tag.attributes.push_back({std::move(name), decode_entities(raw)});
    }
  }

  void handle(const Tag& tag) {
    const Kind kind = element_kind(tag.name);
    if (skip_depth_ > 0) {
      // Inside a NestedDrop element: only its own name nests.
      if (tag.name == skip_name_) skip_depth_ += tag.end ? -1 : 1;
      return;
    }
    if (tag.end) {
      end_tag(tag.name);
      return;
    }
    switch (kind) {
      case Kind::RawDrop:
        ++result_.removed_elements;
        skip_raw_text(tag.name);
        return;
      case Kind::NestedDrop:
        ++result_.removed_elements;
        skip_name_ = tag.name;
        skip_depth_ = 1;
        return;
      case Kind::Unknown:
        ++result_.removed_elements;
        return;
      case Kind::Allowed:
      case Kind::Void:
        break;
    }
    if (kind == Kind::Allowed && open_.size() >= options_.max_depth) {
      ++result_.removed_elements;
      return;
    }
    std::string& out = result_.html;
    out += '<';
    out += tag.name;
    for (const Attribute& a : tag.attributes) attribute(tag.name, a);
    if (tag.name == "a") out += " target=\"_blank\" rel=\"noopener noreferrer\"";
    out += '>';
    if (kind == Kind::Allowed) open_.push_back(tag.name);
  }

  void attribute(const std::string& element, const Attribute& a) {
    std::string value;
    if (a.name == "href") {
      if (element != "a") return;
      const std::string scheme = url_scheme(a.value);
      if (scheme != "http" && scheme != "https" && scheme != "mailto") return;
      value = a.value;
    } else if (a.name == "src") {
      if (element != "img" || !image_source(a.value, value)) return;
    } else if (a.name == "background") {
      // A background image is a remote fetch like any other; there is no way to ask for it back.
      if (url_scheme(a.value) == "http" || url_scheme(a.value) == "https") ++result_.remote_blocked;
      return;
    } else if (a.name == "style") {
      value = filter_style(a.value, &result_.remote_blocked);
      if (value.empty()) return;
    } else if (plain_attribute(a.name)) {
      value = a.value;
    } else {
      return;
    }
    std::string& out = result_.html;
    out += ' ';
    out += a.name;
    out += "=\"";
    append_escaped(out, value);
    out += '"';
  }

  // An <img src>: what to write, or false to leave src out.
  bool image_source(const std::string& src, std::string& out) {
    const std::string scheme = url_scheme(src);
    if (scheme == "cid") {
      if (!options_.resolve_cid) return false;
      // RFC 2392 §2: the content-id in the URL is %-encoded.
      const std::string id = percent_decoded(std::string_view(src).substr(src.find(':') + 1));
      out = options_.resolve_cid(id);
      return !out.empty();
    }
    if (scheme == "data") {
      // Inline raster images only: they fetch nothing. SVG can hold script (harmless in <img>, but kept out).
      std::string head = lower(std::string_view(src).substr(0, 32));
      head.erase(std::remove_if(head.begin(), head.end(), [](char c) { return c <= ' '; }), head.end());
      for (std::string_view t : {"data:image/png", "data:image/gif", "data:image/jpeg", "data:image/jpg",
                                 "data:image/webp", "data:image/bmp"}) {
        if (head.starts_with(t) && head.size() > t.size() &&
            (head[t.size()] == ';' || head[t.size()] == ',')) {
          out = src;
          return true;
        }
      }
      return false;
    }
    if (scheme == "http" || scheme == "https") {
      if (options_.allow_remote_images) {
        out = src;
        return true;
      }
      ++result_.remote_blocked;
      return false;
    }
    return false;
  }

  void end_tag(const std::string& name) {
    auto it = std::find(open_.rbegin(), open_.rend(), name);
    if (it == open_.rend()) return;  // nothing of that name is open: a stray end tag
    const std::size_t keep = static_cast<std::size_t>(open_.rend() - it) - 1;
    while (open_.size() > keep) close_top();
  }

  void close_top() {
    result_.html += "</";
    result_.html += open_.back();
    result_.html += '>';
    open_.pop_back();
  }

  // After the start tag of a raw text element: everything up to "</name" followed by a space, '/' or '>'
  // (WHATWG §13.2.5.3), and that end tag, is dropped; without one, the rest of the input is.
  void skip_raw_text(const std::string& name) {
    if (name == "plaintext") {
      pos_ = in_.size();
      return;
    }
    std::size_t at = pos_;
    for (;;) {
      const std::size_t lt = in_.find("</", at);
      if (lt == std::string_view::npos) {
        pos_ = in_.size();
        return;
      }
      const std::string_view after = in_.substr(lt + 2);
      if (starts_with_nocase(after, name)) {
        const std::size_t k = name.size();
        if (after.size() == k || is_space(after[k]) || after[k] == '/' || after[k] == '>') {
          const std::size_t close = in_.find('>', lt + 2 + k);
          pos_ = close == std::string_view::npos ? in_.size() : close + 1;
          return;
        }
      }
      at = lt + 2;
    }
  }

  std::string_view in_;
  const SanitizeOptions& options_;
  std::size_t pos_ = 0;
  SanitizedHtml result_;
  std::vector<std::string> open_;  // the kept elements open in the output, outermost first
  std::string skip_name_;          // the NestedDrop element being skipped
  long skip_depth_ = 0;
};

// CSS properties a formatted mail uses and that can neither fetch nor cover the page (no position, no
// content, no cursor, no filter).
constexpr std::array<std::string_view, 58> kStyleProperties = {"background-color",
                                                               "border",
                                                               "border-bottom",
                                                               "border-bottom-color",
                                                               "border-bottom-style",
                                                               "border-bottom-width",
                                                               "border-collapse",
                                                               "border-color",
                                                               "border-left",
                                                               "border-left-color",
                                                               "border-left-style",
                                                               "border-left-width",
                                                               "border-radius",
                                                               "border-right",
                                                               "border-right-color",
                                                               "border-right-style",
                                                               "border-right-width",
                                                               "border-spacing",
                                                               "border-style",
                                                               "border-top",
                                                               "border-top-color",
                                                               "border-top-style",
                                                               "border-top-width",
                                                               "border-width",
                                                               "clear",
                                                               "color",
                                                               "direction",
                                                               "display",
                                                               "float",
                                                               "font",
                                                               "font-family",
                                                               "font-size",
                                                               "font-style",
                                                               "font-variant",
                                                               "font-weight",
                                                               "height",
                                                               "letter-spacing",
                                                               "line-height",
                                                               "list-style-type",
                                                               "margin",
                                                               "margin-bottom",
                                                               "margin-left",
                                                               "margin-right",
                                                               "margin-top",
                                                               "max-width",
                                                               "min-width",
                                                               "padding",
                                                               "padding-bottom",
                                                               "padding-left",
                                                               "padding-right",
                                                               "padding-top",
                                                               "table-layout",
                                                               "text-align",
                                                               "text-decoration",
                                                               "text-indent",
                                                               "text-transform",
                                                               "vertical-align",
                                                               "white-space"};

bool style_property(std::string_view p) {
  return std::find(kStyleProperties.begin(), kStyleProperties.end(), p) != kStyleProperties.end() ||
         p == "width" || p == "background" || p == "word-spacing";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A value made of keywords, numbers with units, colours, quoted font names and the colour functions only:
// no url(), image-set(), expression(), var(), attr(), no escapes or comments (which could hide any of them).
bool safe_style_value(std::string_view v) {
  std::string low = lower(v);
  std::size_t i = 0;
  while (i < low.size()) {
    const char c = low[i];
    if (c == '(') {
      std::size_t j = i;
      while (j > 0 && (is_alpha(low[j - 1]) || low[j - 1] == '-')) --j;
      const std::string_view fn = std::string_view(low).substr(j, i - j);
      if (fn != "rgb" && fn != "rgba" && fn != "hsl" && fn != "hsla") return false;
      const std::size_t close = low.find(')', i);
      if (close == std::string::npos) return false;
      for (std::size_t k = i + 1; k < close; ++k)
        if (!is_digit(low[k]) && std::string_view(" .,%/-+").find(low[k]) == std::string_view::npos)
          return false;
      i = close + 1;
      continue;
    }
    if (!is_alpha(c) && !is_digit(c) && std::string_view(" #%.,-+!'\"_").find(c) == std::string_view::npos)
      return false;
    ++i;
  }
  return true;
}

}  // namespace

std::string filter_style(std::string_view style, std::size_t* remote_blocked) {
  std::string out;
  std::size_t start = 0;
  while (start <= style.size()) {
    std::size_t semi = style.find(';', start);
    if (semi == std::string_view::npos) semi = style.size();
    const std::string_view decl = style.substr(start, semi - start);
    start = semi + 1;
    const std::size_t colon = decl.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string prop = lower(trim(decl.substr(0, colon)));
    const std::string_view value = trim(decl.substr(colon + 1));
    if (value.empty() || !style_property(prop)) continue;
    if (!safe_style_value(value)) {
      if (remote_blocked && lower(value).find("url") != std::string::npos) ++*remote_blocked;
      continue;
    }
    if (!out.empty()) out += "; ";
    out += prop;
    out += ": ";
    out += value;
  }
  return out;
}

std::string url_scheme(std::string_view url) {
  // Browsers drop leading and trailing C0 controls and spaces, and every tab and line end anywhere (WHATWG
  // URL §4.4), before they look for the scheme.
  std::size_t i = 0;
  while (i < url.size() && static_cast<unsigned char>(url[i]) <= 0x20) ++i;
  std::string scheme;
  for (; i < url.size(); ++i) {
    const char c = url[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ':') return scheme.empty() ? "" : scheme;
    const bool ok = is_alpha(c) || (!scheme.empty() && (is_digit(c) || c == '+' || c == '-' || c == '.'));
    if (!ok) return "";
    scheme += lower(c);
  }
  return "";
}

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      if (text[i] != '\0') out += text[i];
      continue;
    }
    std::size_t j = i + 1;
    if (j < text.size() && text[j] == '#') {
      ++j;
      const bool hex = j < text.size() && (text[j] == 'x' || text[j] == 'X');
      if (hex) ++j;
      std::uint32_t cp = 0;
      const std::size_t digits_at = j;
      while (j < text.size()) {
        const char c = lower(text[j]);
        int d = is_digit(c) ? c - '0' : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (d < 0) break;
        if (cp <= 0x10FFFF) cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        ++j;
      }
      if (j == digits_at) {
        out += '&';
        continue;
      }
      // The ';' is optional for numeric references (§13.2.5.80, a parse error the browser forgives).
      if (j < text.size() && text[j] == ';') ++j;
      append_utf8(out, cp);
      i = j - 1;
      continue;
    }
    const std::size_t semi = text.find(';', j);
    bool done = false;
    if (semi != std::string_view::npos && semi - j <= 8) {
      const std::string_view name = text.substr(j, semi - j);
      for (const NamedEntity& e : kNamed) {
        if (e.name == name) {
          append_utf8(out, e.cp);
          i = semi;
          done = true;
          break;
        }
      }
    }
    if (!done) out += '&';
  }
  return out;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\0':
        break;
      default:
        out += c;
    }
  }
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

SanitizedHtml sanitize_html(std::string_view html, const SanitizeOptions& options) {
  return Sanitizer(html, options).run();
}

}  // namespace endhost::mail::webmail
