// Runs a client program's coroutine to completion on an io_context of its own and returns its exit code. An
// exception that escapes is reported as one line on `err` prefixed with the program name, and gives exit 1.
#pragma once

#include <functional>
#include <ostream>
#include <string_view>

#include "core/asio.hpp"

namespace endhost::core {

inline int run_client(const std::function<awaitable<int>()>& body, std::ostream& err,
                      std::string_view program) {
  asio::io_context io(1);
  int code = 1;
  asio::co_spawn(io, body(), [&](std::exception_ptr e, int result) {
    code = result;
    if (!e) return;
    code = 1;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      err << program << ": " << ex.what() << "\n";
    }
  });
  io.run();
  return code;
}

}  // namespace endhost::core
