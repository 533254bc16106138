"""A python-h2 client for the HTTP/2 tests (the web server's and the proxy's): requests of any form, and the
events they bring back."""

import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events


class H2Client:
    """A python-h2 client over a socket: send requests, collect events until a condition holds."""

    def __init__(self, addr, tls_context=None, settings=None):
        sock = socket.create_connection(addr, timeout=10)
        if tls_context:
            sock = tls_context.wrap_socket(sock, server_hostname="localhost")
            assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
        self.sock = sock
        self.conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        self.flush()
        self.events = []
        self.bodies = {}
        self.headers = {}
        self.ended = []
        self.terminated = None

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def get(self, path, extra=(), end_stream=True):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                                     (":path", path)] + list(extra), end_stream=end_stream)
        self.flush()
        return sid

    def pump(self, until, timeout=10):
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise AssertionError("timed out; events: %r" % self.events[-10:])
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                data = b""
            if not data:
                self.closed = True
                return
            for ev in self.conn.receive_data(data):
                self.events.append(ev)
                if isinstance(ev, h2.events.ResponseReceived):
                    self.headers[ev.stream_id] = dict((k.decode(), v.decode()) for k, v in ev.headers)
                elif isinstance(ev, h2.events.DataReceived):
                    self.bodies[ev.stream_id] = self.bodies.get(ev.stream_id, b"") + ev.data
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    self.ended.append(ev.stream_id)
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    self.terminated = ev
            self.flush()

    def close(self):
        self.sock.close()

    def request(self, method, path, authority="localhost", scheme="http", body=None, extra=(), open_stream=False):
        """Any request: `path` None for CONNECT (RFC 9113 §8.5), `body` sent in DATA as the windows allow;
        `open_stream` leaves the stream open without a body (a tunnel's bytes follow)."""
        sid = self.conn.get_next_available_stream_id()
        head = [(":method", method)]
        if path is not None:
            head += [(":scheme", scheme), (":path", path)]
        head += [(":authority", authority)] + list(extra)
        # python-h2 insists on :path, which an HTTP/2 CONNECT must not carry.
        self.conn.config.validate_outbound_headers = path is not None
        self.conn.send_headers(sid, head, end_stream=body is None and not open_stream)
        self.conn.config.validate_outbound_headers = True
        self.flush()
        if body is not None:
            self.send_body(sid, body)
        return sid

    def send_body(self, sid, body):
        """Sends `body` on stream `sid` within the flow-control windows, reading WINDOW_UPDATEs meanwhile."""
        sent = 0
        while sent < len(body):
            window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if window <= 0:
                self.pump(lambda: self.conn.local_flow_control_window(sid) > 0)
                continue
            piece = body[sent:sent + window]
            self.conn.send_data(sid, piece)
            sent += len(piece)
            self.flush()
        self.conn.end_stream(sid)
        self.flush()
