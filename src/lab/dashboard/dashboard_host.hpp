// The dashboard as one of the lab's services: the Dashboard app behind a TcpServer on the dashboard host's
// address, and the once-a-second sampler that records the cache's hit ratio over time.
#pragma once

#include <memory>

#include "core/service_host.hpp"
#include "core/tcp_server.hpp"
#include "lab/dashboard/dashboard.hpp"
#include "lab/dashboard/http_app.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

class DashboardHost final : public Unit {
 public:
  DashboardHost(core::ServiceHost& host, DashboardConfig config);
  ~DashboardHost() override;

  // Binds the dashboard's address; logs `listening service=dashboard …`.
  Expected<void, std::string> listen(const UnitContext& ctx);
  void start() override;
  std::uint64_t requests() const override { return app_.requests(); }
  std::vector<UnitCounter> counters() const override { return {{"requests", app_.requests()}}; }

 private:
  awaitable<void> sampler();

  core::ServiceHost& host_;
  Dashboard app_;
  HttpAppConfig http_;
  core::TcpServer tcp_;
  std::shared_ptr<bool> stopping_ = std::make_shared<bool>(false);  // loop 0 only
};

}  // namespace endhost::lab
