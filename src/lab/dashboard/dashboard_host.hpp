// The dashboard as one of the lab's services: the Dashboard app behind a TcpServer on the dashboard host's
// address, and the once-a-second sampler that records the cache's hit ratio over time.
#pragma once

#include <memory>

#include "core/service.hpp"
#include "core/service_host.hpp"
#include "core/tcp_server.hpp"
#include "lab/dashboard/dashboard.hpp"
#include "lab/dashboard/http_app.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

class DashboardHost final : public core::Service {
 public:
  DashboardHost(core::ServiceHost& host, DashboardConfig config, asio::ip::tcp::endpoint listen);
  ~DashboardHost() override;

  // Binds the dashboard's address; logs `listening service=dashboard …`.
  Expected<void, std::string> bind(core::Binder& binder) override;
  // One more listener, where `binder` makes its sockets: with emulated links, the dashboard's lab address in
  // its host's namespace, beside the root namespace's loopback address that bind() takes.
  Expected<void, std::string> bind_more(core::Binder& binder, const asio::ip::tcp::endpoint& endpoint);
  void start() override;
  std::vector<core::NamedCount> counters() const override { return {{"requests", app_.requests()}}; }
  // The unit the lab made of this service: the dashboard shows its own state from it.
  void set_self(const Unit* self) { app_.set_self(self); }

 private:
  awaitable<void> sampler();

  core::ServiceHost& host_;
  Dashboard app_;
  HttpAppConfig http_;
  asio::ip::tcp::endpoint listen_;
  core::TcpServer tcp_;
  std::shared_ptr<bool> stopping_ = std::make_shared<bool>(false);  // loop 0 only
};

}  // namespace endhost::lab
