// The lab's state directory (--state DIR): zone files, site files, lab.json, and whatever the services keep
// (the cache's store). Without --state it is a fresh temporary directory, removed when the lab stops unless
// --keep. The running lab also leaves a pointer per net at a well-known path (lab_pointer_path()) so that
// `endhost lab experiment` finds it without being told where, and a second lab on the same net refuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::lab {

class StateDir {
 public:
  // `requested` empty: a new temporary directory (mkdtemp under $TMPDIR or /tmp). Otherwise that directory,
  // created (0700) when missing.
  static Expected<StateDir, std::string> open(const std::string& requested, bool keep);

  StateDir(StateDir&& other) noexcept;
  StateDir& operator=(StateDir&&) = delete;
  ~StateDir();  // removes a temporary directory unless keep

  const std::string& path() const { return path_; }
  bool temporary() const { return temporary_; }
  bool kept() const { return !temporary_ || keep_; }
  std::string file(std::string_view relative) const { return path_ + "/" + std::string(relative); }

 private:
  StateDir(std::string path, bool temporary, bool keep)
      : path_(std::move(path)), temporary_(temporary), keep_(keep) {}
  std::string path_;
  bool temporary_ = false;
  bool keep_ = false;
};

// mkdir -p with mode 0755 for the components it creates.
Expected<void, std::string> make_directories(const std::string& path);
// Reads a whole file of at most max_bytes.
Expected<std::string, std::string> read_small_file(const std::string& path, std::size_t max_bytes);

// Each running lab leaves a pointer of its own, one per net:
// ${XDG_RUNTIME_DIR:-/tmp}/endhost-lab-<uid>-<net>.current, holding its state directory and its pid. It is
// claimed before anything binds, so a second lab on the same net refuses at once instead of taking the
// first one's pointer; a pointer whose pid is dead (a lab killed with SIGKILL) is stale and replaced.
std::string lab_pointer_path(std::string_view net);

struct RunningLabPointer {
  std::string net;
  std::string state_dir;
  std::int64_t pid = 0;
};

// The pid is alive and runs endhost (a pid reused by another program since the lab stopped does not count).
bool lab_process_alive(std::int64_t pid);

// The claim on a net's pointer; released (the pointer removed, if still ours) when destroyed.
class NetClaim {
 public:
  NetClaim() = default;
  NetClaim(NetClaim&& other) noexcept;
  NetClaim& operator=(NetClaim&& other) noexcept;
  ~NetClaim();
  bool held() const { return !path_.empty(); }

  // Claims `net` for this process and `state_dir`. Refuses, with "a lab is already running on 127.20 (pid N,
  // state DIR); use --net 127.21", while a live lab holds the net's pointer.
  static Expected<NetClaim, std::string> claim(const std::string& net, const std::string& state_dir);

 private:
  std::string path_;
  std::string text_;  // what we wrote: removed only while the pointer still says it
};

// The live lab on `net`, when its pointer is this user's and its pid is alive.
std::optional<RunningLabPointer> lab_on_net(std::string_view net);
// Every live lab of this user, by net.
std::vector<RunningLabPointer> running_labs();
// The state directory of the lab an experiment should use: the one on `net` when given; else the only one
// running. Nullopt when there is none; an error when several run and `net` does not say which.
Expected<std::optional<std::string>, std::string> find_running_lab(const std::optional<std::string>& net);

}  // namespace endhost::lab
