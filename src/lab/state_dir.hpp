// The lab's state directory (--state DIR): zone files, site files, lab.json, and whatever the services keep
// (the cache's store). Without --state it is a fresh temporary directory, removed when the lab stops unless
// --keep. The running lab also leaves a pointer at a well-known path (current_lab_pointer()) so that
// `endhost lab experiment` finds it without being told where.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// ${XDG_RUNTIME_DIR:-/tmp}/endhost-lab-<uid>.current: holds the state directory of the lab started last.
std::string current_lab_pointer();
// Points current_lab_pointer() at `state_dir` (atomically). Failure is not fatal for the lab; the caller
// logs.
Expected<void, std::string> publish_current_lab(const std::string& state_dir);
// Removes the pointer if it still points at `state_dir` (another lab may have started since).
void retract_current_lab(const std::string& state_dir);
// The state directory the pointer names, if the pointer exists, belongs to this user, and the directory
// still holds a lab.json.
std::optional<std::string> find_current_lab();

}  // namespace endhost::lab
