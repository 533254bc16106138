// Header and trailer fields (RFC 9110 §5): names compare case-insensitively, order is preserved and a name
// may repeat. Two shapes: `Fields` owns its strings (the message value types), `FieldsView` borrows a
// parser's array of `FieldView`s whose strings point into the caller's receive buffer (see request_parser.hpp
// for how long they stay valid).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::http {

// ASCII case-insensitive equality, for field names and tokens (RFC 9110 §5.1, §5.6.2).
bool iequals(std::string_view a, std::string_view b) noexcept;

// One borrowed field line: name as sent, value with leading and trailing whitespace removed (RFC 9112 §5).
struct FieldView {
  std::string_view name;
  std::string_view value;
};

// A borrowed, read-only list of fields. Cheap to copy; valid as long as the parser and the bytes it points
// to.
class FieldsView {
 public:
  FieldsView() = default;
  explicit FieldsView(std::span<const FieldView> fields) : fields_(fields) {}

  // The first field named `name`, or nullptr. Linear: heads have tens of fields, and a scan over a
  // contiguous array beats hashing at that size.
  const FieldView* find(std::string_view name) const noexcept;
  // The value of the first field named `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  std::size_t count(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  const FieldView& operator[](std::size_t i) const { return fields_[i]; }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }

 private:
  std::span<const FieldView> fields_;
};

struct Field {
  std::string name;
  std::string value;
  friend bool operator==(const Field&, const Field&) = default;
};

// An owned, ordered multimap of fields. Callers must only store valid names (tokens) and values (no CR, LF or
// NUL); the serializer checks again before writing, so a bad value cannot split a message.
class Fields {
 public:
  Fields() = default;
  Fields(std::initializer_list<Field> fields) : fields_(fields) {}
  explicit Fields(FieldsView view);

  // Appends a field line, keeping any earlier ones with the same name.
  void add(std::string_view name, std::string_view value);
  // Replaces every field named `name` with one line (appended if there was none).
  void set(std::string_view name, std::string_view value);
  // Removes every field named `name`; returns how many were removed.
  std::size_t erase(std::string_view name);
  void clear() noexcept { fields_.clear(); }

  const Field* find(std::string_view name) const noexcept;
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  std::size_t count(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  const Field& operator[](std::size_t i) const { return fields_[i]; }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }

  // Exact equality: same lines, same order, same spelling. That is what a round trip must preserve.
  friend bool operator==(const Fields&, const Fields&) = default;

 private:
  std::vector<Field> fields_;
};

}  // namespace endhost::http
