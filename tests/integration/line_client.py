"""What the text-protocol tests share: a raw CRLF line connection that sends exact bytes and reads whole
replies, and a users file made with `htpasswd -nbB` (a bare bcrypt hash, which the Dovecot-style users file
of every endhost server accepts)."""

import os
import socket
import subprocess


class LineClient:
    """A raw connection to a server of numbered replies (FTP, SMTP): send exact bytes, read whole replies.
    A multi-line reply runs from `code-…` to the line that is `code` or starts with `code ` (RFC 959 §4.2;
    RFC 5321 §4.2.1's form, every line `code-`, is the same rule)."""

    CLOSE_TIMEOUT = 10
    WHAT = "connection"

    def __init__(self, port, host="127.0.0.1", timeout=10, read_greeting=True):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.greeting = self.reply() if read_greeting else None

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("%s closed; unread: %r" % (self.WHAT, self.buf))
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line.decode("utf-8", "replace")

    def reply(self):
        """The whole next reply as one string, lines joined with \\n ("250-a\\n250 b")."""
        first = self.line()
        lines = [first]
        if len(first) > 3 and first[3] == "-":
            code = first[:3]
            while True:
                lines.append(self.line())
                if lines[-1] == code or lines[-1].startswith(code + " "):
                    break
        return "\n".join(lines)

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def closed(self, timeout=None):
        """Whether the server closes the connection within timeout (after whatever it still sends)."""
        self.sock.settimeout(self.CLOSE_TIMEOUT if timeout is None else timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except (socket.timeout, TimeoutError):
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def users_file(directory, users, made_by, extra=lambda name: ""):
    """Writes `directory`/users from {name: password} with `htpasswd -nbB` hashes; `extra(name)` is appended
    to each line (the fields after the hash). Returns the path."""
    lines = []
    for name, password in users.items():
        out = subprocess.run(["htpasswd", "-nbB", "-C", "5", name, password], capture_output=True, text=True,
                             check=True, timeout=30).stdout.strip()
        lines.append(out + extra(name))
    path = os.path.join(directory, "users")
    with open(path, "w") as f:
        f.write("# made by the %s integration tests\n" % made_by + "\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
