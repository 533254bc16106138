// `endhost help [TOPIC]`: the user's guide (docs/guide/*.md, embedded at build time) in the terminal. Without
// a topic it lists the pages; an unknown topic is a usage error that suggests the nearest name.

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/help_pages.hpp"

namespace endhost::cli {

namespace {

// The page's title: its first `# ` heading, for the topic list.
std::string_view title_of(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("# ")) return line.substr(2);
    pos = end + 1;
  }
  return {};
}

// Levenshtein distance, for "did you mean"; topics are short, so the quadratic table is nothing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The Markdown as it reads in a terminal: the HTML comments that steer the docs test are not for readers.
void print_page(std::string_view text, std::ostream& out) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    const bool comment = line.starts_with("<!--") && line.ends_with("-->");
    if (!comment) out << line << '\n';
    pos = end + 1;
  }
}

int list_topics(std::ostream& out) {
  out << "endhost help TOPIC prints a page of the user's guide (docs/guide/ in the repository). Topics:\n";
  for (const auto& page : help_pages()) {
    std::string topic(page.topic);
    topic.resize(std::max<std::size_t>(topic.size() + 2, 14), ' ');
    out << "  " << topic << title_of(page.text) << '\n';
  }
  return 0;
}

int show(const std::string& topic) {
  const auto pages = help_pages();
  if (topic.empty()) return list_topics(std::cout);
  for (const auto& page : pages) {
    if (page.topic == topic) {
      print_page(page.text, std::cout);
      return 0;
    }
  }
  std::string_view nearest;
  std::size_t best = std::string::npos;
  for (const auto& page : pages) {
    const std::size_t d = edit_distance(topic, page.topic);
    if (d < best) {
      best = d;
      nearest = page.topic;
    }
  }
  std::string message = "unknown help topic '" + topic + "'";
  if (!nearest.empty() && best <= std::max<std::size_t>(2, topic.size() / 3)) {
    message += "; did you mean '" + std::string(nearest) + "'?";
  }
  throw UsageError(message + " ('endhost help' lists the topics)");
}

}  // namespace

void add_help_commands(CLI::App& root, RunFn& run) {
  auto topic = std::make_shared<std::string>();
  auto* help = root.add_subcommand("help", "The user's guide in the terminal: endhost help TOPIC");
  help->add_option("topic", *topic,
                   "A page: web, proxy, fetch, dns, resolver, ping, echo, tls, lab, lab-student");
  help->footer(
      "Examples:\n  endhost help              the list of topics\n  endhost help lab-student  the lab, "
      "experiment by experiment, with the textbook's problems");
  help->callback([topic, &run] { run = [topic] { return show(*topic); }; });
}

}  // namespace endhost::cli
