#include "core/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace endhost::core {

std::string user_to_become(const std::string& requested, bool running_as_root, std::uint16_t lowest_port) {
  if (!requested.empty()) return requested;
  if (running_as_root && lowest_port != 0 && lowest_port < 1024) return "nobody";
  return {};
}

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

Expected<void, std::string> give(const std::string& path, uid_t uid, gid_t gid, const std::string& user) {
  // Already the user's: no chown, which would write the inode (a mail directory of 100,000 messages is
  // walked at every start: an lstat each is a fraction of the cost of a chown each).
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && st.st_uid == uid && st.st_gid == gid) return {};
  if (::lchown(path.c_str(), uid, gid) != 0) {
    return Unexpected("--user " + user + ": cannot give " + path + " to that user: " + errno_text(errno) +
                      " (choose a directory the user may own, or run as that user)");
  }
  return {};
}

Expected<void, std::string> give_tree(const std::string& path, uid_t uid, gid_t gid,
                                      const std::string& user) {
  if (auto ok = give(path, uid, gid, user); !ok) return ok;
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::symlink_status(path, ec))) return {};
  std::filesystem::recursive_directory_iterator it(path, std::filesystem::directory_options::none, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (auto ok = give(it->path().string(), uid, gid, user); !ok) return ok;
  }
  if (ec) return Unexpected("--user " + user + ": cannot walk " + path + ": " + ec.message());
  return {};
}

}  // namespace

Expected<void, std::string> drop_privileges(const std::string& user, std::span<const std::string> writable) {
  std::vector<char> buf(16 * 1024);
  passwd pw{};
  passwd* found = nullptr;
  const int err = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (err != 0 || found == nullptr) {
    return Unexpected("--user " + user + ": no such user" +
                      (err != 0 ? ": " + errno_text(err) : std::string()) +
                      " (give a user of this machine, e.g. --user nobody)");
  }
  const uid_t uid = pw.pw_uid;
  const gid_t gid = pw.pw_gid;
  if (::geteuid() != 0) {
    if (::geteuid() == uid) return {};  // already that user: nothing to give up
    return Unexpected("--user " + user +
                      ": only root can change to another user; run as root, or drop --user");
  }
  for (const auto& path : writable) {
    if (path.empty() || path == "-") continue;
    if (auto ok = give_tree(path, uid, gid, user); !ok) return ok;
  }
  // Postfix's order: the supplementary groups and the group while still root, then the user.
  if (::setgroups(1, &gid) != 0)
    return Unexpected("--user " + user + ": setgroups failed: " + errno_text(errno));
  if (::setgid(gid) != 0) return Unexpected("--user " + user + ": setgid failed: " + errno_text(errno));
  if (::setuid(uid) != 0) return Unexpected("--user " + user + ": setuid failed: " + errno_text(errno));
  // A dropped root must not be able to come back.
  if (uid != 0 && (::setuid(0) == 0 || ::geteuid() == 0))
    return Unexpected("--user " + user + ": root could be regained after setuid; refusing to serve");
  return {};
}

}  // namespace endhost::core
