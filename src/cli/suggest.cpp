#include "cli/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace endhost::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring).
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    if (!best || dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  // Near enough: at most a third of the word wrong (two edits for short words), and not the whole word.
  const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  if (!best || best_distance > allowed || best_distance >= word.size()) return std::nullopt;
  return best;
}

namespace {

std::string path_of(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* a = app; a && a->get_parent(); a = a->get_parent()) names.push_back(a->get_name());
  std::string path = "endhost";
  for (auto it = names.rbegin(); it != names.rend(); ++it) path += " " + *it;
  return path;
}

std::vector<const CLI::App*> subcommands_of(const CLI::App* app) {
  std::vector<const CLI::App*> subs;
  for (const CLI::App* s : app->get_subcommands([](const CLI::App*) { return true; }))
    if (!s->get_name().empty()) subs.push_back(s);
  return subs;
}

std::vector<std::string> long_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app->get_options())
    for (const auto& n : o->get_lnames()) names.push_back("--" + n);
  return names;
}

bool is_number(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

Mistake unknown_option(const CLI::App* app, const std::string& option, const std::string* next) {
  const std::string command = path_of(app);
  // Other servers' --port/-p: endhost's servers take ADDR:PORT in --listen.
  if ((option == "--port" || option == "-p") && app->get_option_no_throw("--listen")) {
    const std::string port = next && is_number(*next) ? *next : "PORT";
    return {"unknown option " + option + "; use --listen 127.0.0.1:" + port, command};
  }
  const bool long_form = option.rfind("--", 0) == 0;
  if (auto near = nearest(option, long_names(app)); near && long_form)
    return {"unknown option " + option + "; did you mean " + *near + "?", command};
  return {"unknown option " + option + " for '" + command + "'", command};
}

}  // namespace

std::optional<Mistake> find_mistake(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* app = &root;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (app->get_allow_extras()) return std::nullopt;  // the command reads the unknown words itself
    if (arg.size() > 1 && arg[0] == '-' && !is_number(arg.substr(1))) {
      const bool long_form = arg.rfind("--", 0) == 0;
      // "--name=value"; "-xVALUE" and "-abc" (short flags together) are looked up by their first letter.
      std::string name = long_form ? arg.substr(0, arg.find('=')) : arg.substr(0, 2);
      const CLI::Option* option = app->get_option_no_throw(name);
      if (!option) {
        const std::string* next = i + 1 < args.size() ? &args[i + 1] : nullptr;
        return unknown_option(app, name, next);
      }
      const bool inline_value = long_form ? arg.find('=') != std::string::npos : arg.size() > 2;
      if (option->get_type_size_max() > 0 && !inline_value) ++i;  // its value
      continue;
    }
    const auto subs = subcommands_of(app);
    if (subs.empty()) continue;  // a positional argument of a leaf command
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const CLI::App* s : subs) {
      if (s->check_name(arg)) next = s;
      names.push_back(s->get_name());
    }
    if (next) {
      app = next;
      continue;
    }
    const bool top = app == &root;
    std::string message =
        top ? "unknown service '" + arg + "'" : "unknown verb '" + arg + "' for '" + path_of(app) + "'";
    if (auto near = nearest(arg, names)) {
      message += "; did you mean '" + *near + "'?";
    } else {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      message += std::string("; ") + (top ? "the services are: " : "its verbs are: ") + list;
    }
    return Mistake{message, path_of(app)};
  }
  return std::nullopt;
}

void set_service_footers(CLI::App& root) {
  for (CLI::App* service : root.get_subcommands([](CLI::App*) { return true; })) {
    if (service->get_subcommands([](CLI::App*) { return true; }).empty()) continue;  // fetch, lab: their own
    std::string examples;
    for (CLI::App* verb : service->get_subcommands([](CLI::App*) { return true; })) {
      const std::string footer = verb->get_footer();
      const std::size_t at = footer.find("Examples:\n");
      if (at == std::string::npos || footer == root.get_footer()) continue;
      std::string lines = footer.substr(at + 10);
      if (!lines.empty() && lines.back() != '\n') lines += '\n';
      examples += lines;
    }
    std::string text = examples.empty() ? "" : "Examples:\n" + examples;
    text += "Run '" + path_of(service) + " <verb> --help' for a verb's options.";
    service->footer(text);
  }
}

}  // namespace endhost::cli
