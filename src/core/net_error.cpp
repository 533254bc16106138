#include "core/net_error.hpp"

#include <boost/asio/error.hpp>

namespace endhost::core {

std::string describe_listen_error(std::string_view what, std::string_view address, unsigned port,
                                  const boost::system::error_code& ec) {
  std::string msg = "cannot " + std::string(what) + " " + std::string(address) + ": ";
  if (ec == boost::asio::error::access_denied) {
    msg += "permission denied";
    if (port < 1024)
      msg += " (ports below 1024 need root or CAP_NET_BIND_SERVICE; use a port of 1024 or more)";
  } else if (ec == boost::asio::error::address_in_use) {
    msg += "the address is already in use (another program listens there; choose another port or stop it)";
  } else if (ec == boost::system::errc::address_not_available) {
    msg += "that address is not one of this machine's (see `ip addr`; 127.0.0.1 always works)";
  } else if (ec == boost::asio::error::address_family_not_supported) {
    msg += "this machine has no such address family (IPv6 disabled?)";
  } else {
    msg += ec.message();
  }
  return msg;
}

}  // namespace endhost::core
