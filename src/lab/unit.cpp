#include "lab/unit.hpp"

namespace endhost::lab {

const char* to_string(UnitState state) {
  switch (state) {
    case UnitState::bound:
      return "bound";
    case UnitState::listening:
      return "listening";
    case UnitState::failed:
      return "failed";
    case UnitState::draining:
      return "draining";
  }
  return "?";
}

}  // namespace endhost::lab
