// Turns socket errors at start-up (bind, listen) into one sentence that says what to do.
#pragma once

#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace endhost::core {

// "cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need root …)"
std::string describe_listen_error(std::string_view what, std::string_view address, unsigned port,
                                  const boost::system::error_code& ec);

}  // namespace endhost::core
