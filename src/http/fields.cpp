#include "http/fields.hpp"

#include <algorithm>

#include "http/chars.hpp"

namespace endhost::http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (chars::to_lower(a[i]) != chars::to_lower(b[i])) return false;
  return true;
}

const FieldView* FieldsView::find(std::string_view name) const noexcept {
  for (const FieldView& f : fields_)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::optional<std::string_view> FieldsView::get(std::string_view name) const noexcept {
  if (const FieldView* f = find(name)) return f->value;
  return std::nullopt;
}

std::size_t FieldsView::count(std::string_view name) const noexcept {
  return static_cast<std::size_t>(std::count_if(fields_.begin(), fields_.end(),
                                                [&](const FieldView& f) { return iequals(f.name, name); }));
}

Fields::Fields(FieldsView view) {
  fields_.reserve(view.size());
  for (const FieldView& f : view) fields_.push_back({std::string(f.name), std::string(f.value)});
}

void Fields::add(std::string_view name, std::string_view value) {
  fields_.push_back({std::string(name), std::string(value)});
}

void Fields::set(std::string_view name, std::string_view value) {
  auto it =
      std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); });
  if (it == fields_.end()) {
    add(name, value);
    return;
  }
  it->value = std::string(value);
  // Keep the first line in place (order matters to some peers), drop the later duplicates.
  fields_.erase(
      std::remove_if(std::next(it), fields_.end(), [&](const Field& f) { return iequals(f.name, name); }),
      fields_.end());
}

std::size_t Fields::erase(std::string_view name) {
  return static_cast<std::size_t>(
      std::erase_if(fields_, [&](const Field& f) { return iequals(f.name, name); }));
}

const Field* Fields::find(std::string_view name) const noexcept {
  for (const Field& f : fields_)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::optional<std::string_view> Fields::get(std::string_view name) const noexcept {
  if (const Field* f = find(name)) return f->value;
  return std::nullopt;
}

std::size_t Fields::count(std::string_view name) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); }));
}

}  // namespace endhost::http
