#include "http/cache/hop_by_hop.hpp"

#include <algorithm>

#include "http/field_value.hpp"

namespace endhost::http::cache {

bool is_hop_by_hop(std::string_view name) noexcept {
  switch (name.size()) {
    case 2:
      return iequals(name, "te");
    case 7:
      return iequals(name, "upgrade") || iequals(name, "trailer");
    case 10:
      return iequals(name, "connection") || iequals(name, "keep-alive");
    case 16:
      return iequals(name, "proxy-connection");
    case 17:
      return iequals(name, "transfer-encoding");
    case 18:
      return iequals(name, "proxy-authenticate");
    case 19:
      return iequals(name, "proxy-authorization");
    default:
      return false;
  }
}

ConnectionOptions::ConnectionOptions(FieldsView fields) {
  for (const FieldView& f : fields)
    if (iequals(f.name, "connection")) add(f.value);
}

ConnectionOptions::ConnectionOptions(const Fields& fields) {
  for (const Field& f : fields)
    if (iequals(f.name, "connection")) add(f.value);
}

void ConnectionOptions::add(std::string_view value) {
  ListReader list(value);
  while (auto option = list.next())
    if (!iequals(*option, "close") && !iequals(*option, "keep-alive")) names_.push_back(*option);
}

bool ConnectionOptions::drop(std::string_view name) const noexcept {
  if (is_hop_by_hop(name)) return true;
  return std::any_of(names_.begin(), names_.end(), [&](std::string_view n) { return iequals(n, name); });
}

void remove_hop_by_hop(Fields& fields) {
  Fields kept;
  {
    const ConnectionOptions options(fields);  // borrows `fields`: done with it before the move below
    for (const Field& f : fields)
      if (!options.drop(f.name)) kept.add(f.name, f.value);
  }
  fields = std::move(kept);
}

}  // namespace endhost::http::cache
