// The names a leaf certificate is for, as `endhost tls cert` takes them: DNS names (a wildcard only as the
// whole first label, RFC 6125 §6.4.3) and IP addresses, each becoming one subjectAltName entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::tls {

struct SubjectName {
  enum class Kind { dns, ip } kind = Kind::dns;
  std::string text;  // DNS names lower-cased, without a final dot; IP addresses in canonical form
};

// "www.example.test", "*.example.test", "127.0.0.1", "::1". The error says what is wrong with the name.
Expected<SubjectName, std::string> parse_subject_name(std::string_view text);

// The subjectAltName value in OpenSSL's configuration syntax: "DNS:www.example.test,IP:127.0.0.1".
std::string subject_alt_name(const std::vector<SubjectName>& names);

// A file name for the first name: "www.example.test", "_wildcard.example.test", "127.0.0.1", "__1".
std::string file_stem(const SubjectName& name);

}  // namespace endhost::tls
