// A request's Accept-Language and a stored response's Vary and Content-Language from arbitrary bytes (RFC
// 9111 §4.1): the secondary key and the language selection must not crash, read out of bounds or keep more
// than their bounds, and a request must always match the key it made itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/cache/vary.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Three values separated by newlines: Accept-Language (its lines split by '|'), Vary, Content-Language.
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nl = in.find('\n');
  const std::string_view accept = in.substr(0, nl);
  const std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  const auto nl2 = rest.find('\n');
  const std::string_view vary = rest.substr(0, nl2);
  const std::string_view language = nl2 == std::string_view::npos ? std::string_view() : rest.substr(nl2 + 1);

  Fields request;
  std::size_t start = 0;
  for (;;) {
    const auto bar = accept.find('|', start);
    request.add("Accept-Language", std::string(accept.substr(start, bar - start)));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  const Fields response{{"Vary", std::string(vary)}, {"Content-Language", std::string(language)}};
  const VarySpec spec = parse_vary(response);
  if (spec.names.size() > max_vary_fields) __builtin_trap();
  const std::string key = secondary_key(spec, request);
  if (secondary_key(spec, request) != key) __builtin_trap();  // deterministic
  const detail::LanguageList langs = request_languages(request);
  if (langs.size > langs.members.size()) __builtin_trap();
  (void)detail::top_language_matches(langs, language);
  (void)language_selects(request, language);
  return 0;
}
