// Where a service's sockets are made: `SocketPlace` is carried in ServiceEnv::socket_place (and from there in
// each service's configuration, beside source_address) and in the Binder, and every listener and client
// socket of a service is opened through open_socket() with it. Empty — `endhost … serve`, the lab without
// CAP_NET_ADMIN — the socket is opened as usual, at the cost of one pointer test. With a namespace — a lab
// host in its own network namespace — the socket is opened inside it, and keeps that namespace for its life:
// bind, connect, accept and I/O then happen there, from any thread.
//
// Two ways in: by default the calling thread enters the namespace around socket(2) (ScopedNetns: two setns
// calls, which need CAP_SYS_ADMIN); with a `maker`, started while the process was still root, the maker's
// thread, which lives in the namespace, makes the socket (socket_maker.hpp) — the way that keeps working
// after the lab dropped root.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <boost/system/error_code.hpp>

#include "core/net_namespace.hpp"
#include "core/socket_maker.hpp"

namespace endhost::core {

struct SocketPlace {
  SocketPlace() = default;
  explicit SocketPlace(std::shared_ptr<const NetNamespace> ns, std::shared_ptr<SocketMaker> made_by = nullptr)
      : netns(std::move(ns)), maker(std::move(made_by)) {}

  // The namespace the sockets belong to; null: the process's own (the default).
  std::shared_ptr<const NetNamespace> netns;
  // When set (with `netns`, the namespace it was started in), sockets are made by its thread instead of by
  // entering the namespace.
  std::shared_ptr<SocketMaker> maker;

  bool is_default() const { return netns == nullptr; }
  // "network namespace endhost-1a2b-www" or "this process's network", for messages.
  std::string describe() const;
};

// The error of a socket that could not be opened because its namespace could not be entered: the errno of
// setns(2) in the netns category, whose message says so ("cannot enter the network namespace: Operation not
// permitted"), so callers that print ec.message() need no change.
const boost::system::error_category& netns_category();

// socket(2) inside a non-default `place`: the descriptor, or -1 with `ec` set (in netns_category when the
// namespace could not be entered).
int socket_in_place(int domain, int type, int protocol, const SocketPlace& place,
                    boost::system::error_code& ec);

// socket.open(protocol, ec), inside `place`. Works for any Asio socket or acceptor.
template <class Socket>
void open_socket(Socket& socket, const typename Socket::protocol_type& protocol,
                 boost::system::error_code& ec, const SocketPlace& place) {
  if (place.netns == nullptr) {
    socket.open(protocol, ec);
    return;
  }
  if (place.maker == nullptr) {
    ScopedNetns in(*place.netns);
    if (!in) {
      ec.assign(in.error(), netns_category());
      return;
    }
    socket.open(protocol, ec);
    return;
  }
  const int fd =
      socket_in_place(protocol.family(), protocol.type() | SOCK_CLOEXEC, protocol.protocol(), place, ec);
  if (fd < 0) return;
  socket.assign(protocol, fd, ec);
  if (ec) ::close(fd);
}

// socket(2) inside `place`, for code that uses descriptors directly: the descriptor, or -1 with errno set.
int open_socket_fd(int domain, int type, int protocol, const SocketPlace& place);

}  // namespace endhost::core
