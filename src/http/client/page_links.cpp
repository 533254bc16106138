#include "http/client/page_links.hpp"

#include <algorithm>
#include <cctype>

#include "http/chars.hpp"

namespace endhost::http {

namespace {

using chars::lower;

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Decodes the few character references that appear in URLs (&amp; above all).
std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      if (s.substr(i, 5) == "&amp;") {
        out += '&';
        i += 4;
        continue;
      }
      if (s.substr(i, 6) == "&quot;") {
        out += '"';
        i += 5;
        continue;
      }
      if (s.substr(i, 5) == "&#39;") {
        out += '\'';
        i += 4;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

struct Tag {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string_view get(std::string_view name_) const {
    for (const auto& [k, v] : attributes)
      if (k == name_) return v;
    return {};
  }
};

// Parses the tag starting after '<' at `pos`; returns the position after '>'.
std::size_t parse_tag(std::string_view html, std::size_t pos, Tag& tag) {
  std::size_t i = pos;
  while (i < html.size() && !space(html[i]) && html[i] != '>' && html[i] != '/') ++i;
  tag.name = lower(html.substr(pos, i - pos));
  while (i < html.size() && html[i] != '>') {
    while (i < html.size() && (space(html[i]) || html[i] == '/')) ++i;
    const std::size_t name_start = i;
    while (i < html.size() && !space(html[i]) && html[i] != '=' && html[i] != '>' && html[i] != '/') ++i;
    std::string name = lower(html.substr(name_start, i - name_start));
    while (i < html.size() && space(html[i])) ++i;
    std::string value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && space(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const char quote = html[i++];
        const std::size_t end = html.find(quote, i);
        value = std::string(html.substr(i, end == std::string_view::npos ? html.size() - i : end - i));
        i = end == std::string_view::npos ? html.size() : end + 1;
      } else {
        const std::size_t start = i;
        while (i < html.size() && !space(html[i]) && html[i] != '>') ++i;
        value = std::string(html.substr(start, i - start));
      }
    }
    if (!name.empty()) tag.attributes.emplace_back(std::move(name), decode_entities(value));
    if (name_start == i) ++i;  // a stray character: step over it
  }
  return i < html.size() ? i + 1 : html.size();
}

}  // namespace

std::vector<std::string> page_links(std::string_view html, std::size_t max_links) {
  std::vector<std::string> links;
  auto add = [&](std::string_view url) {
    std::string_view u = url;
    while (!u.empty() && space(u.front())) u.remove_prefix(1);
    while (!u.empty() && space(u.back())) u.remove_suffix(1);
    if (u.empty() || u.front() == '#' || u.substr(0, 5) == "data:" || u.substr(0, 11) == "javascript:")
      return;
    if (links.size() < max_links && std::find(links.begin(), links.end(), u) == links.end())
      links.emplace_back(u);
  };
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (i + 1 >= html.size() || !std::isalpha(static_cast<unsigned char>(html[i + 1]))) {
      ++i;
      continue;
    }
    Tag tag;
    i = parse_tag(html, i + 1, tag);
    if (tag.name == "img" || tag.name == "script") {
      add(tag.get("src"));
    } else if (tag.name == "link") {
      const std::string rel = lower(tag.get("rel"));
      if (rel.find("stylesheet") != std::string::npos || rel.find("icon") != std::string::npos)
        add(tag.get("href"));
    }
    if (tag.name == "script" || tag.name == "style") {
      // Raw text: a "<img" inside a script is not a tag.
      const std::string close = "</" + tag.name;
      std::size_t j = i;
      for (;;) {
        j = html.find("</", j);
        if (j == std::string_view::npos || lower(html.substr(j, close.size())) == close) break;
        j += 2;
      }
      i = j == std::string_view::npos ? html.size() : j;
    }
  }
  return links;
}

}  // namespace endhost::http
