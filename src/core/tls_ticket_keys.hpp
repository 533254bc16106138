// Internal to src/core's TLS (tls_server_context.cpp): the keys that seal session tickets (RFC 5077, RFC 8446
// §4.6.1). One ring per process, shared by every certificate's context, every loop thread and every reload,
// so a ticket opens wherever the client's next connection lands. Keys come from OpenSSL's CSPRNG and live
// only in memory. Every `rotation` a new key starts sealing; the one before still opens (its tickets are
// then renewed), so a ticket is good for at most two rotations and a key read from memory opens at most that
// much recorded traffic (RFC 5077 §5.5). Thread-safe; time is given by the caller.
#pragma once

#include <chrono>
#include <mutex>

namespace endhost::core {

struct TicketKey {
  unsigned char name[16];
  unsigned char cipher_key[32];  // AES-256-CBC
  unsigned char mac_key[32];     // HMAC-SHA256
};

class TicketKeys {
 public:
  using clock = std::chrono::steady_clock;
  explicit TicketKeys(clock::duration rotation) : rotation_(rotation) {}
  ~TicketKeys();
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  // The key that seals a new ticket at `now`, rotated first when due. false: no random bytes for a first
  // key (no ticket is issued then).
  bool sealing(clock::time_point now, TicketKey& key);
  // The key named `name` (16 bytes) at `now`; `renew` when it is the previous one. false: unknown or expired.
  bool opening(const unsigned char* name, clock::time_point now, TicketKey& key, bool& renew);

 private:
  void rotate_if_due(clock::time_point now);

  clock::duration rotation_;
  std::mutex mutex_;
  TicketKey current_{};
  TicketKey previous_{};
  bool made_ = false;
  bool has_previous_ = false;
  clock::time_point made_at_{};
};

}  // namespace endhost::core
