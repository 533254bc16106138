// How an experiment reaches a lab: the one whose state directory --state names, else the one the current-lab
// pointer names (state_dir.hpp), provided its process is alive; otherwise it starts a lab of its own in this
// process, on a thread, and stops it when the experiment is done.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/expected.hpp"
#include "core/log.hpp"
#include "lab/lab.hpp"
#include "lab/lab_map.hpp"

namespace endhost::lab {

class LabAccess {
 public:
  static Expected<std::unique_ptr<LabAccess>, std::string> open(const LabOptions& options, core::Logger& log);
  ~LabAccess();

  const LabInfo& info() const { return info_; }
  bool started_here() const { return lab_ != nullptr; }
  const std::string& state_dir() const { return state_dir_; }

 private:
  LabInfo info_;
  std::string state_dir_;
  std::unique_ptr<Lab> lab_;
  std::thread thread_;
};

// The lab.json of a running lab in `state_dir`, or why there is none.
Expected<LabInfo, std::string> running_lab(const std::string& state_dir);

}  // namespace endhost::lab
