#include "core/udp_bind.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/connection.hpp"
#include "core/net_error.hpp"

namespace endhost::core {

namespace {

bool open_and_bind(asio::ip::udp::socket& s, const asio::ip::udp::endpoint& ep, const UdpBindOptions& options,
                   boost::system::error_code& ec) {
  open_socket(s, ep.protocol(), ec, options.place);
  if (ec) return false;
  if (ep.address().is_v6()) s.set_option(asio::ip::v6_only(true), ec);
  // Buffer sizes are a wish, not a requirement: the kernel caps them (net.core.rmem_max), and that is fine.
  if (options.receive_buffer > 0)
    s.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(options.receive_buffer)), ec);
  if (options.send_buffer > 0)
    s.set_option(asio::socket_base::send_buffer_size(static_cast<int>(options.send_buffer)), ec);
  ec.clear();
  if (options.reuseport) {
    int one = 1;
    if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
      return false;
    }
  }
  s.bind(ep, ec);
  if (ec) return false;
  s.non_blocking(true, ec);
  return !ec;
}

}  // namespace

Expected<UdpPerLoop, std::string> bind_udp_per_loop(EventLoops& loops,
                                                    const asio::ip::udp::endpoint& endpoint,
                                                    const UdpBindOptions& options) {
  boost::system::error_code ec;
  auto fail = [&](std::string_view step, const asio::ip::udp::endpoint& ep) {
    return Unexpected(describe_listen_error(step, endpoint_text(ep), ep.port(), ec));
  };
  UdpPerLoop out;
  asio::ip::udp::socket first(loops[0].io());
  if (!open_and_bind(first, endpoint, options, ec)) return fail("listen on", endpoint);
  out.endpoint = first.local_endpoint(ec);
  if (ec) return fail("listen on", endpoint);
  const int fd = first.native_handle();
  out.sockets.push_back(std::move(first));
  for (std::size_t i = 1; i < loops.size(); ++i) {
    asio::ip::udp::socket s(loops[i].io());
    if (options.reuseport) {
      if (!open_and_bind(s, out.endpoint, options, ec)) return fail("listen on", out.endpoint);
    } else {
      const int copy = ::dup(fd);
      if (copy < 0) {
        ec.assign(errno, boost::system::system_category());
        return fail("share the socket of", out.endpoint);
      }
      s.assign(out.endpoint.protocol(), copy, ec);
      if (ec) {
        ::close(copy);
        return fail("share the socket of", out.endpoint);
      }
      // O_NONBLOCK is shared with the original, but Asio keeps its own flag per socket: without it, a
      // synchronous send_to would wait for room instead of dropping the datagram.
      s.non_blocking(true, ec);
      if (ec) return fail("share the socket of", out.endpoint);
    }
    out.sockets.push_back(std::move(s));
  }
  return out;
}

}  // namespace endhost::core
