// The embedded default configuration: src/lab/default_lab.toml, compiled into the program so that
// `endhost lab` needs no file and `endhost lab --print-config` can hand it out as a starting point.
#pragma once

#include <string_view>

namespace endhost::lab {

std::string_view default_config_toml();

}  // namespace endhost::lab
