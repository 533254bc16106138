"""Origins for the proxy and fetch tests: a scriptable HTTP origin that counts requests and records their
headers (python3's http.server), and raw-socket origins that misbehave on purpose (stall, malformed
responses, death in the middle of a body)."""

import http.server
import socket
import socketserver
import threading
import time


class Origin:
    """An HTTP/1.1 origin on 127.0.0.1. `routes` maps a path to a function(request) -> (status, headers, body)
    where request is the BaseHTTPRequestHandler; every request is counted and its headers kept."""

    def __init__(self, routes):
        self.routes = routes
        self.hits = {}
        self.requests = []
        self.lock = threading.Lock()
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                path = self.path
                if path.startswith("http://"):
                    path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
                body_in = b""
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    body_in = self.rfile.read(length)
                with origin.lock:
                    origin.hits[path] = origin.hits.get(path, 0) + 1
                    origin.requests.append((self.command, path, dict(self.headers.items()), body_in))
                route = origin.routes.get(path.split("?")[0])
                if route is None:
                    status, headers, body = 404, {"Content-Type": "text/plain"}, b"no such thing\n"
                else:
                    status, headers, body = route(self)
                self.send_response(status)
                for k, v in headers.items():
                    if isinstance(v, list):
                        for item in v:
                            self.send_header(k, item)
                    else:
                        self.send_header(k, v)
                if status not in (204, 304) and "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and status not in (204, 304):
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_TRACE = handle_any

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            open_sockets = set()

            def process_request(self, request, client_address):
                self.open_sockets.add(request)
                super().process_request(request, client_address)

            def shutdown_request(self, request):
                self.open_sockets.discard(request)
                super().shutdown_request(request)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def count(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def last_headers(self, path):
        with self.lock:
            for method, p, headers, _ in reversed(self.requests):
                if p == path:
                    return headers
        return None

    def stop(self):
        """Stops like a crashed origin: no new connections, and the kept-alive ones are cut."""
        self.server.shutdown()
        self.server.server_close()
        for sock in list(self.server.open_sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class RawOrigin:
    """A TCP server that answers every connection with `behaviour(conn)`: for origins that break HTTP."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.behaviour(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        self.stopped = True
        self.sock.close()


def stall(conn):
    time.sleep(30)


def malformed(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nBad Header\r\n\r\nhello")


def dies_mid_body(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 100\r\n\r\nonly ten..")


def huge_header(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100000 + b"\r\nContent-Length: 2\r\n\r\nok")
