#include "lab/metric_text.hpp"

#include <cstdlib>
#include <string>

namespace endhost::lab {

double sum_samples(std::string_view text, std::string_view family) {
  double sum = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() <= family.size() || line.substr(0, family.size()) != family) continue;
    char next = line[family.size()];
    if (next != ' ' && next != '{') continue;  // another family sharing the prefix (…_total vs …_totals)
    std::size_t space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    std::string value(line.substr(space + 1));
    char* stop = nullptr;
    double v = std::strtod(value.c_str(), &stop);
    if (stop != value.c_str()) sum += v;
  }
  return sum;
}

double sum_metric(const core::MetricsRegistry& registry, std::string_view family) {
  return sum_samples(registry.render_prometheus(), family);
}

}  // namespace endhost::lab
