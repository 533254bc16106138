#include "lab/network/link_switch.hpp"

#include "core/connection.hpp"
#include "lab/network/link_pump.hpp"

namespace endhost::lab {

LinkSwitch::LinkSwitch(LinkPump& pump, asio::ip::address_v4 address, std::uint16_t port,
                       core::Transcript trace)
    : pump_(pump), address_(address), port_(port), trace_(std::move(trace)) {}

void LinkSwitch::set_on(bool on) {
  asio::post(pump_.loop().io(), [this, on] {
    if (on == this->on()) return;
    pump_.block_port(address_.to_uint(), port_, !on);
    on_.store(on, std::memory_order_release);
    const std::string where = core::endpoint_text(asio::ip::tcp::endpoint(address_, port_));
    trace_.note(where, on ? "switched on: the server is back"
                          : "switched off: the server is down (connections refused)");
  });
}

}  // namespace endhost::lab
