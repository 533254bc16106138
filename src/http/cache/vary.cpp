#include "http/cache/vary.hpp"

#include <algorithm>

namespace endhost::http::cache {

namespace {

template <class FieldRange>
VarySpec parse(const FieldRange& fields) {
  VarySpec spec;
  for (const auto& f : fields) {
    if (!iequals(f.name, "vary")) continue;
    ListReader list(f.value);
    while (auto element = list.next()) {
      if (*element == "*") {
        spec.star = true;
        continue;
      }
      std::string name(*element);
      for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (std::find(spec.names.begin(), spec.names.end(), name) != spec.names.end()) continue;
      if (spec.names.size() >= max_vary_fields)
        spec.star = true;
      else
        spec.names.push_back(std::move(name));
    }
  }
  return spec;
}

}  // namespace

VarySpec parse_vary(FieldsView response_fields) {
  return parse(response_fields);
}

VarySpec parse_vary(const Fields& response_fields) {
  return parse(response_fields);
}

void detail::append_normalized(std::string& out, std::string_view value, bool& first) {
  // §4.1: combining field lines and removing whitespace where the syntax allows both mean the same request.
  ListReader list(value);
  while (auto element = list.next()) {
    if (!first) out += ',';
    first = false;
    out += *element;
  }
}

}  // namespace endhost::http::cache
