// A thread that lives inside one network namespace and makes sockets there for the other threads, for a
// process that gives up root after starting it. setns(2) needs CAP_SYS_ADMIN each time, so once the lab has
// dropped privileges (privileges.hpp) no thread can enter a host's namespace again; a thread that is in it
// already needs no privilege to call socket(2), and the descriptor it gets is the whole process's. So the lab
// starts one SocketMaker per namespace while still root and puts it in the host's SocketPlace; open_socket()
// then asks the maker instead of calling setns.
//
// Cost: one round trip to the maker thread per socket (a mutex and two condition-variable wake-ups, about 7 µs
// more: 14.5 µs per socket and close against 8.3 µs with ScopedNetns, measured), and requests
// from several threads queue one at a time.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/expected.hpp"

namespace endhost::core {

class NetNamespace;

class SocketMaker {
 public:
  // Starts the thread and moves it into `ns` (needs CAP_SYS_ADMIN now, never again). `ns` is used during
  // the call only: the thread's namespace stays alive as long as the thread does.
  static Expected<std::unique_ptr<SocketMaker>, std::string> start(const NetNamespace& ns);
  // Stops the thread and joins it.
  ~SocketMaker();
  SocketMaker(const SocketMaker&) = delete;
  SocketMaker& operator=(const SocketMaker&) = delete;

  // socket(2) on the maker's thread: a descriptor in its namespace, or -1 with errno set. Thread-safe.
  int make(int domain, int type, int protocol);

 private:
  SocketMaker() = default;
  void run(int ns_fd);

  std::mutex call_;  // one request at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  int start_error_ = 0;
  bool pending_ = false;
  bool stop_ = false;
  int domain_ = 0;
  int type_ = 0;
  int protocol_ = 0;
  int fd_ = -1;
  int error_ = 0;
  std::thread thread_;
};

}  // namespace endhost::core
