// Asking for a password on the terminal, for the commands that take a user without one (fetch -u USER,
// ftp client --user USER, ftp adduser): the prompt on stderr, the answer from standard input, with echo
// off while it is a terminal.
#pragma once

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

namespace endhost::cli {

inline std::string read_password(const std::string& prompt) {
  // Echo goes off before the prompt shows, so that nothing typed after it is echoed or thrown away.
  termios saved{};
  const bool tty = ::isatty(0) && ::tcgetattr(0, &saved) == 0;
  if (tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSANOW, &quiet);
  }
  std::cerr << prompt << std::flush;
  std::string password;
  std::getline(std::cin, password);
  if (tty) ::tcsetattr(0, TCSANOW, &saved);
  std::cerr << "\n";
  return password;
}

}  // namespace endhost::cli
