#include "core/ascii_case.hpp"

namespace endhost::core {

void upper_case_in_place(std::string& text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
}

void append_upper_case(std::string& out, std::string_view text) {
  std::size_t start = out.size();
  out.append(text);
  for (std::size_t i = start; i < out.size(); ++i) {
    char c = out[i];
    if (c >= 'a' && c <= 'z') out[i] = static_cast<char>(c - 'a' + 'A');
  }
}

std::string upper_case(std::string_view text) {
  std::string out(text);
  upper_case_in_place(out);
  return out;
}

}  // namespace endhost::core
