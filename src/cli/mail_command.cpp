// `endhost mail adduser`: a user for `mail serve --users` (and Dovecot's passwd-file, the same format). `mail
// serve` comes from the service registry; service_command() finds `endhost mail` or adds it, so this file
// builds with and without the service, and beside the other `mail` verbs (send, queue, dkim-key).

#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "auth/user_db.hpp"
#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "cli/service_commands.hpp"
#include "core/system_random.hpp"
#include "mail/maildir/maildir.hpp"

namespace endhost::cli {

namespace {

struct AddUserArgs {
  std::string users;
  std::string name;
  std::string mail_dir;
};

// The password from standard input when it is not a terminal (scripts: `echo pw | endhost mail adduser`),
// otherwise asked for twice without echo.
int add_mail_user(const AddUserArgs& a) {
  if (auto why = auth::invalid_user_name(a.name)) throw UsageError(*why);
  // The name is also a directory under DIR/users/ (docs/guide/mail.md).
  if (a.name == "." || a.name == ".." || a.name.find('/') != std::string::npos)
    throw UsageError("'" + a.name + "' cannot name a mailbox: no '/', and not . or ..");
  if (a.name.front() == '@' || a.name.back() == '@')
    throw UsageError("'" + a.name + "' is not NAME or NAME@DOMAIN");
  std::string password;
  if (!::isatty(0)) {
    if (!std::getline(std::cin, password)) throw UsageError("no password on standard input");
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = read_password("Password for " + a.name + ": ");
    if (read_password("Again: ") != password) throw RuntimeError("the passwords differ; nothing was changed");
  }
  if (password.empty()) throw UsageError("the password is empty");
  core::SystemRandom random;
  auto added = auth::add_user(a.users, a.name, password, random);
  if (!added) throw RuntimeError(added.error());
  std::cerr << "added " << a.name << " to " << a.users << "\n";
  if (!a.mail_dir.empty()) {
    const std::filesystem::path box = std::filesystem::path(a.mail_dir) / "users" / a.name;
    auto made = mail::maildir::ensure(box);
    if (!made) throw RuntimeError(made.error());
    std::cerr << "made the Maildir " << box.string() << "\n";
  }
  std::cerr << "a running `endhost mail serve` reads the file again on SIGHUP\n";
  return 0;
}

}  // namespace

void add_mail_commands(CLI::App& root, RunFn& run) {
  auto* mail =
      &service_command(root, "mail", "Mail: an SMTP server with mailboxes and a queue, and a client");

  auto a = std::make_shared<AddUserArgs>();
  auto* adduser = mail->add_subcommand(
      "adduser",
      "Add a user (a mailbox, and a login for AUTH) to a users file (argon2id), for mail serve --users");
  adduser->add_option("--users", a->users, "The users file (created 0600 when missing)")
      ->required()
      ->type_name("FILE");
  adduser->add_option("--mail-dir", a->mail_dir, "Also make the user's Maildir, DIR/users/NAME/{tmp,new,cur}")
      ->type_name("DIR");
  adduser
      ->add_option("name", a->name,
                   "The user's name: NAME receives NAME@ every --domain, NAME@DOMAIN only that address")
      ->required()
      ->type_name("NAME");
  adduser->footer(
      "The password comes from standard input when it is not a terminal, otherwise it is asked for twice.\n"
      "Examples:\n"
      "  endhost mail adduser --users users.txt bob\n"
      "  printf 'secret\\n' | endhost mail adduser --users users.txt --mail-dir ./mail alice@crepes.fr");
  adduser->callback([a, &run] { run = [a] { return add_mail_user(*a); }; });
}

}  // namespace endhost::cli
