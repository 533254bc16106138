#include "tls/subject_names.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <optional>

namespace endhost::tls {

namespace {

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

std::optional<std::string> canonical_ip(std::string_view text) {
  const std::string s(text);
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1)
    return inet_ntop(AF_INET, bytes.data(), out.data(), out.size());
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1)
    return inet_ntop(AF_INET6, bytes.data(), out.data(), out.size());
  return std::nullopt;
}

}  // namespace

Expected<SubjectName, std::string> parse_subject_name(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.empty()) return Unexpected(std::string("an empty name"));
  if (auto ip = canonical_ip(text)) return SubjectName{SubjectName::Kind::ip, *ip};
  std::string name(text);
  if (name.back() == '.') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  // RFC 1035 §2.3.4: at most 253 characters in text form, labels of 1 to 63.
  if (name.size() > 253) return Unexpected(quoted + " is longer than 253 characters");
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label =
        std::string_view(name).substr(start, dot == std::string::npos ? dot : dot - start);
    if (label.empty()) return Unexpected(quoted + " has an empty label (two dots, or a leading dot)");
    if (label.size() > 63) return Unexpected(quoted + " has a label longer than 63 characters");
    if (label == "*") {
      if (!first)
        return Unexpected(quoted + ": a wildcard may only be the whole first label ('*.example.test')");
      if (dot == std::string::npos) return Unexpected(quoted + ": a wildcard needs a domain below it");
    } else {
      if (!std::all_of(label.begin(), label.end(), label_char))
        return Unexpected(quoted +
                          " is neither an IP address nor a host name (letters, digits, '-' and '.')");
      if (label.front() == '-' || label.back() == '-')
        return Unexpected(quoted + ": a label may not begin or end with '-'");
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return SubjectName{SubjectName::Kind::dns, name};
}

std::string subject_alt_name(const std::vector<SubjectName>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ',';
    out += (n.kind == SubjectName::Kind::dns ? "DNS:" : "IP:") + n.text;
  }
  return out;
}

std::string file_stem(const SubjectName& name) {
  std::string out;
  for (char c : name.text) {
    if (c == '*')
      out += "_wildcard";
    else if (c == ':')
      out += '_';
    else
      out += c;
  }
  return out;
}

}  // namespace endhost::tls
