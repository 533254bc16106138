#include "smtp/client/extensions.hpp"

#include <charconv>

#include "core/ascii_case.hpp"

namespace endhost::smtp::client {

namespace {

// Splits on spaces, dropping empty words.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

bool Extensions::offers_auth(std::string_view mechanism) const {
  for (const auto& m : auth)
    if (m == mechanism) return true;
  return false;
}

Extensions parse_ehlo(const std::vector<std::string>& lines) {
  Extensions e;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto w = words(lines[i]);
    if (w.empty()) continue;
    std::string key = core::upper_case(w[0]);
    // "AUTH=LOGIN PLAIN": the pre-RFC 2554 form some servers still send beside the real one.
    std::vector<std::string_view> params(w.begin() + 1, w.end());
    if (key.starts_with("AUTH=")) {
      params.insert(params.begin(), std::string_view(w[0]).substr(5));
      key = "AUTH";
    }
    if (key == "PIPELINING") {
      e.pipelining = true;
    } else if (key == "STARTTLS") {
      e.starttls = true;
    } else if (key == "8BITMIME") {
      e.eight_bit_mime = true;
    } else if (key == "SMTPUTF8") {
      e.smtputf8 = true;
    } else if (key == "CHUNKING") {
      e.chunking = true;
    } else if (key == "ENHANCEDSTATUSCODES") {
      e.enhanced_status_codes = true;
    } else if (key == "SIZE") {
      e.size = true;
      // RFC 1870 §4: "SIZE" alone or "SIZE 0" announce no fixed limit.
      if (!params.empty()) {
        std::uint64_t n = 0;
        const auto p = params[0];
        const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
        if (ec == std::errc() && end == p.data() + p.size()) e.max_size = n;
      }
    } else if (key == "AUTH") {
      for (auto p : params) {
        std::string m = core::upper_case(p);
        if (!e.offers_auth(m)) e.auth.push_back(std::move(m));
      }
    }
  }
  return e;
}

}  // namespace endhost::smtp::client
