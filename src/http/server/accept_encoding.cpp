#include "http/server/accept_encoding.hpp"

#include "http/field_value.hpp"

namespace endhost::web {

namespace {

// The weight of `;q=…` (§12.4.2): 0 only for "0", "0.", "0.0", "0.00", "0.000"; absent means 1.
bool weight_is_zero(std::string_view params) {
  std::size_t pos = 0;
  while ((pos = params.find(';', pos)) != std::string_view::npos) {
    std::string_view p = params.substr(pos + 1);
    while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
    ++pos;
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    std::string_view q = p.substr(2);
    const std::size_t end = q.find_first_of(" \t;");
    q = q.substr(0, end);
    if (q.empty() || q[0] != '0') return false;
    for (char c : q.substr(1))
      if (c != '.' && c != '0') return false;
    return true;
  }
  return false;
}

}  // namespace

AcceptedCodings accepted_codings(http::FieldsView fields) noexcept {
  enum : int { unset = -1, no = 0, yes = 1 };
  int br = unset, zstd = unset, gzip = unset, star = unset;
  for (const http::FieldView& f : fields) {
    if (!http::iequals(f.name, "accept-encoding")) continue;
    http::ListReader list(f.value);
    while (auto element = list.next()) {
      const std::size_t semi = element->find(';');
      std::string_view token = element->substr(0, semi);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      const int v = semi == std::string_view::npos || !weight_is_zero(element->substr(semi)) ? yes : no;
      if (http::iequals(token, "br"))
        br = v;
      else if (http::iequals(token, "zstd"))
        zstd = v;
      else if (http::iequals(token, "gzip") || http::iequals(token, "x-gzip"))
        gzip = v;
      else if (token == "*")
        star = v;
    }
  }
  auto decide = [star](int v) { return v == yes || (v == unset && star == yes); };
  return AcceptedCodings{decide(br), decide(zstd), decide(gzip)};
}

std::string_view coding_token(Coding c) noexcept {
  switch (c) {
    case Coding::br:
      return "br";
    case Coding::zstd:
      return "zstd";
    case Coding::gzip:
      return "gzip";
    case Coding::identity:
      break;
  }
  return "identity";
}

std::string_view coding_suffix(Coding c) noexcept {
  switch (c) {
    case Coding::br:
      return ".br";
    case Coding::zstd:
      return ".zst";
    case Coding::gzip:
      return ".gz";
    case Coding::identity:
      break;
  }
  return "";
}

}  // namespace endhost::web
