// The switch of a server on emulated links: its (address, TCP port) closed in the link pump
// (netem::PortBlock), so that the server's own listener stays bound and sees its clients' real addresses
// (Bob's server names Alice's in Received: and checks SPF against it), which a forwarding PortSwitch cannot
// give outside 127/8. Off, a SYN to the port is answered by a RST from the pump ("connection refused") and
// a connection open before is reset at its next segment, whichever side sends it.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/asio.hpp"
#include "core/transcript.hpp"
#include "lab/server_switch.hpp"

namespace endhost::lab {

class LinkPump;

class LinkSwitch final : public ServerSwitch {
 public:
  LinkSwitch(LinkPump& pump, asio::ip::address_v4 address, std::uint16_t port, core::Transcript trace);

  void set_on(bool on) override;
  bool on() const override { return on_.load(std::memory_order_acquire); }

 private:
  LinkPump& pump_;
  asio::ip::address_v4 address_;
  std::uint16_t port_;
  core::Transcript trace_;
  std::atomic<bool> on_{true};
};

}  // namespace endhost::lab
