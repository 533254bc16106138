#include "ftp/client/command_line.hpp"

#include <fnmatch.h>

#include "text/verb.hpp"

namespace endhost::ftp::client {

namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t") == s.npos;
}

}  // namespace

Expected<std::vector<std::string>, std::string> split_script(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  char quote = 0;
  for (std::size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (quote) {
      if (c == quote) quote = 0;
      current += c;
      continue;
    }
    if (c == '\\' && i + 1 < script.size()) {
      current += c;
      current += script[++i];
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if (c == ';' || c == '\n' || c == '\r') {
      if (!blank(current)) out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (quote) return Unexpected(std::string("unclosed ") + quote + " in the commands");
  if (!blank(current)) out.push_back(current);
  return out;
}

Expected<std::vector<std::string>, std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        word += line[++i];
      } else {
        word += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
    } else {
      word += c;
    }
  }
  if (quote) return Unexpected(std::string("unclosed ") + quote + " in '" + std::string(line) + "'");
  if (in_word) words.push_back(std::move(word));
  return words;
}

bool has_glob(std::string_view word) {
  return word.find_first_of("*?[") != word.npos;
}

bool glob_match(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0;
}

std::string traced_command(std::string_view line) {
  if (line.size() >= 4 && text::iequals(line.substr(0, 4), "PASS") && (line.size() == 4 || line[4] == ' '))
    return "PASS ****";
  return std::string(line);
}

std::string base_name(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const auto slash = path.rfind('/');
  return std::string(slash == path.npos ? path : path.substr(slash + 1));
}

}  // namespace endhost::ftp::client
