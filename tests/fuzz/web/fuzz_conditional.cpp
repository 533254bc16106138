// Conditional request fields and Accept-Encoding: arbitrary field lines (split on newlines, "name:value")
// against a fixed representation. Checks only that evaluation terminates without a crash or a sanitizer
// report, and that a 304 is only ever chosen for GET or HEAD.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "http/server/accept_encoding.hpp"
#include "http/server/conditional.hpp"

using namespace endhost;
using namespace endhost::web;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto method = static_cast<http::Method>(data[0] % 10);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<http::FieldView> fields;
  while (!rest.empty() && fields.size() < 64) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) fields.push_back({line.substr(0, colon), line.substr(colon + 1)});
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  const http::FieldsView view(fields);
  const Validators v{true, "\"abc-1-2\"", 784111777};
  const ConditionalResult r = evaluate_conditionals(method, view, v, 1'700'000'000);
  if (r.outcome == Precondition::not_modified && method != http::Method::get && method != http::Method::head)
    std::abort();
  (void)evaluate_conditionals(method, view, Validators{}, 0);
  (void)accepted_codings(view);
  return 0;
}
