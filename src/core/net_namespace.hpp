// Linux network namespaces for the lab's hosts: a NetNamespace is one named, persistent namespace held open
// by its descriptor, made the way iproute2's `ip netns add` makes one (a bind mount of the namespace on
// /run/netns/NAME), so `ip netns exec NAME …` and `ip -n NAME …` see it too. ScopedNetns moves the calling
// thread into a namespace for the length of a scope — the one place that calls setns(2) — so that a socket or
// a TUN device opened in that scope belongs to the namespace for the rest of its life.
//
// Everything here needs CAP_SYS_ADMIN (root); without it each call returns its error as a value. A socket
// keeps the namespace it was made in: once opened, it is bound, connected and read from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::core {

class NetNamespace {
 public:
  // Where the names live, as for iproute2.
  static constexpr std::string_view kRunDir = "/run/netns";

  // A new namespace named `name` (letters, digits, '-', '_', '.'; at most 64 bytes), with `lo` up. Fails when
  // the name is taken. The caller's thread never changes namespace: a short-lived thread unshares and the
  // namespace is pinned by the bind mount before that thread ends. The namespace outlives this object (and
  // the process) until remove(name).
  static Expected<NetNamespace, std::string> create(std::string name);
  // Opens a namespace made earlier (by create or `ip netns add`).
  static Expected<NetNamespace, std::string> open(std::string name);
  // Removes the name: detaches the bind mount, then unlinks the file. The namespace itself ends when the last
  // descriptor of it (a NetNamespace, a socket, a TUN device) closes; its devices and routes go with it.
  static Expected<void, std::string> remove(std::string_view name);
  // The names under kRunDir that begin with `prefix`, sorted (the leftovers of a lab that was killed: its
  // namespaces are `endhost-<labid>-<host>`). No directory: an empty list.
  static Expected<std::vector<std::string>, std::string> list(std::string_view prefix);

  NetNamespace(NetNamespace&& other) noexcept;
  NetNamespace& operator=(NetNamespace&& other) noexcept;
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;
  // Closes the descriptor; the name stays (remove() takes it away).
  ~NetNamespace();

  const std::string& name() const { return name_; }
  // An O_RDONLY descriptor of the namespace (nsfs), for setns(2) and for IFLA_NET_NS_FD.
  int fd() const { return fd_; }
  // The namespace's inode number: equal inodes are the same namespace (as `ls -i /proc/self/ns/net` shows).
  std::uint64_t inode() const { return inode_; }

 private:
  NetNamespace(std::string name, int fd, std::uint64_t inode)
      : name_(std::move(name)), fd_(fd), inode_(inode) {}

  std::string name_;
  int fd_ = -1;
  std::uint64_t inode_ = 0;
};

// The calling thread inside `ns` until the end of the scope, then back in the namespace it was in. setns(2)
// acts on the calling thread only, so the event loop's other threads never notice; the scope must end on the
// thread that began it, before the thread does any other work (so never across a co_await), and no thread
// may be started inside it (clone(2) gives the new thread its creator's namespace). Nesting works;
// entering the namespace the thread is in already costs nothing. The thread's home namespace is opened once
// per process, at the first entry.
//
// Cost: two setns calls, about 0.6 µs more than a plain socket() (8.3 against 7.7 µs per socket and
// close, measured): cheap enough to wrap each socket() call (socket_place.hpp).
class ScopedNetns {
 public:
  explicit ScopedNetns(const NetNamespace& ns) noexcept;
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

  // Whether the thread is inside the namespace now. When not, nothing changed and error() says why.
  explicit operator bool() const { return error_ == 0; }
  int error() const { return error_; }  // errno of the failed step (EPERM: no CAP_SYS_ADMIN)
  // "cannot enter network namespace NAME: Operation not permitted"
  std::string message() const;

 private:
  const NetNamespace& ns_;
  int previous_fd_ = -1;  // the namespace to return to; -1: nothing to undo
  int outer_ = -1;        // the enclosing scope's namespace descriptor; -1: none (the thread's home)
  int error_ = 0;
};

// The inode of the calling thread's network namespace (/proc/thread-self/ns/net), 0 when it cannot be read.
std::uint64_t current_netns_inode();

}  // namespace endhost::core
