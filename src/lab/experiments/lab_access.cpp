#include "lab/experiments/lab_access.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>

#include "lab/state_dir.hpp"

namespace endhost::lab {

Expected<LabInfo, std::string> running_lab(const std::string& state_dir) {
  auto text = read_small_file(state_dir + "/lab.json", 4u << 20);
  if (!text) return Unexpected(std::string("no lab.json in ") + state_dir);
  auto info = parse_lab_json(*text);
  if (!info) return Unexpected(state_dir + "/lab.json: " + info.error());
  if (!lab_process_alive(info->pid)) {
    return Unexpected("the lab of " + state_dir + " (pid " + std::to_string(info->pid) + ") is not running");
  }
  return info;
}

Expected<std::unique_ptr<LabAccess>, std::string> LabAccess::open(const LabOptions& options,
                                                                  core::Logger& log) {
  auto access = std::make_unique<LabAccess>();
  std::optional<std::string> dir;
  if (!options.state_dir.empty()) {
    dir = options.state_dir;
  } else {
    // The lab on --net, else the only one running (state_dir.hpp): several need --net or --state.
    auto found = find_running_lab(options.net);
    if (!found) return Unexpected(found.error());
    dir = *found;
  }
  if (dir) {
    if (auto info = running_lab(*dir)) {
      access->info_ = std::move(*info);
      access->state_dir_ = *dir;
      return access;
    }
  }
  // None running: a lab of our own, for as long as the experiment lasts.
  LabOptions own = options;
  own.handle_signals = false;
  own.publish_current = false;
  auto lab = Lab::create(own, log);
  if (!lab) return Unexpected("no running lab was found, and starting one failed: " + lab.error());
  access->lab_ = std::move(*lab);
  access->state_dir_ = access->lab_->state_dir();
  Lab* raw = access->lab_.get();
  access->thread_ = std::thread([raw] { raw->run(); });
  // lab.json appears once every service accepts.
  for (int i = 0; i < 200; ++i) {
    if (auto info = running_lab(access->state_dir_)) {
      access->info_ = std::move(*info);
      return access;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Unexpected(std::string("the lab started for the experiment did not come up within 10 s"));
}

LabAccess::~LabAccess() {
  if (lab_) {
    lab_->request_shutdown();
    if (thread_.joinable()) thread_.join();
  }
}

}  // namespace endhost::lab
