// A lab server's on/off switch as the dashboard and the mail experiment see it (POST /api/switch, and
// GET /api/mail's `up`): a PortSwitch (port_switch.hpp) in front of the port on loopback, a LinkSwitch
// (network/link_switch.hpp) that closes the port on the emulated links. Off, a client's connection to the
// server's port is refused and the open ones are cut, as from a server that is down; the server process and
// its queue stay.
#pragma once

namespace endhost::lab {

class ServerSwitch {
 public:
  virtual ~ServerSwitch() = default;
  // Thread-safe; takes effect on the switch's own loop, so on() may read the old state for a moment.
  virtual void set_on(bool on) = 0;
  virtual bool on() const = 0;
};

}  // namespace endhost::lab
