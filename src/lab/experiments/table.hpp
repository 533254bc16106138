// The experiments' output: a plain text table with a header row and aligned columns, numbers right-aligned.
#pragma once

#include <string>
#include <vector>

namespace endhost::lab {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "1.234" for milliseconds, "—" for a value that does not apply.
std::string ms(double millis);
std::string ratio(double r);

}  // namespace endhost::lab
