// The interactive client's input, sans I/O: a `-c` script split into commands at ';' and line ends, each
// command split into words as a shell would for the simple cases (spaces separate; '…' and "…" quote;
// backslash escapes the next character), and the glob patterns of mget/mput (fnmatch(3): * ? [...]).
// Also the trace text of a command: PASS's argument is never shown.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::ftp::client {

// "cd a; get 'x y.txt'" → {"cd a", " get 'x y.txt'"}; ';' and line ends inside quotes do not split. Blank
// commands are dropped.
Expected<std::vector<std::string>, std::string> split_script(std::string_view script);

// "get 'x y.txt' local" → {"get", "x y.txt", "local"}. An unclosed quote is an error sentence.
Expected<std::vector<std::string>, std::string> split_words(std::string_view line);

// Whether `word` holds a glob character (* ? [), so mget/mput expand it.
bool has_glob(std::string_view word);
// fnmatch(3) without FNM_PATHNAME: `pattern` against one name.
bool glob_match(const std::string& pattern, const std::string& name);

// A command line as traced ("C: …"): "PASS ****" for PASS, the line itself otherwise (RFC 959 §4.1.1 puts
// the password in PASS; logs and screens must not show it).
std::string traced_command(std::string_view line);

// The last path segment of a remote or local path: "dir/a.txt" → "a.txt", "a.txt" → "a.txt".
std::string base_name(std::string_view path);

}  // namespace endhost::ftp::client
