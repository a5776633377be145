"""The web process's gunicorn worker: a request is read whole before a thread takes it.

gunicorn's `gthread` worker gives a connection a thread as soon as its first byte arrives,
and the thread then blocks reading the rest: four clients that announced
`Content-Length: 100000` and sent two bytes held every thread of the Procfile's two
workers, and all other requests waited as long as they held (105 s seen). This worker
(`--worker-class app.httpd.BufferingWorker`) reads requests in its main loop instead,
without blocking, and gives its threads only requests that have arrived whole:

* a connection has `READ_DEADLINE_SECONDS` (app.web) from being accepted to deliver its
  request: after that it is answered 408 (or closed, if it sent nothing);
* a `Content-Length` over `MAX_BODY_BYTES` (app.web) is answered 413 before a byte of the
  body is read; a head over `MAX_HEAD_BYTES` 431; `Transfer-Encoding` 411 (Slack always
  sends `Content-Length`); a head whose framing can't be read 400;
* at most `--worker-connections` connections are read at once; one more closes the one
  that has waited longest (a request that is sent whole takes milliseconds to arrive);
* a worker accepts a connection only while one of its threads is free, and reads what
  came with it at once: a request sent whole is handed to a thread before the next
  accept, so requests queue in the kernel for whichever worker frees first (as with
  gthread's `--worker-connections` equal to its threads), while stalled connections,
  which never reach a thread, don't close the door;
* one request per connection: the answer ends with closing it.

Each answer from the main loop is the connection's one log line (`okrbot.http`, with the
reason), and gunicorn's own lines in the worker go through the app's logging (scrubbed,
JSON with `LOG_FORMAT=json`). The threads parse each request with gunicorn's own parser
and call the app as gthread does.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.http.errors import NoMoreData
from gunicorn.http.parser import RequestParser
from gunicorn.workers import base

# Slack's request heads are under 2 KB; proxies add a few headers.
MAX_HEAD_BYTES = 64 * 1024
# After an error answer, input is read and dropped this long before closing, so that the
# client reads the answer instead of a reset.
LINGER_SECONDS = 2.0
# A client must take its answer within this long (answers are small: the kernel's buffer
# usually takes them at once).
SEND_TIMEOUT_SECONDS = 10.0

_PHRASES = {
    400: "Bad Request",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
}
logger = logging.getLogger("okrbot.http")


class RefusedRequestError(Exception):
    """A request answered from the main loop with `status`, before the app sees it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Framing:
    """Where a request ends: `head_end` bytes of head (blank line included), then a body
    up to `total`."""

    head_end: int
    total: int
    expects_continue: bool


def request_line(head: bytes) -> bytes:
    """The request line of a head (after a PROXY protocol line, if any)."""
    lines = head.split(b"\r\n", 2)
    if lines[0].startswith(b"PROXY ") and len(lines) > 1:
        return lines[1]
    return lines[0]


def frame(data: bytes | bytearray, *, max_head: int, max_body: int) -> Framing | None:
    """The framing of the request at the start of `data`, or None while its head is still
    arriving. Raises `RefusedRequestError` for a request that must not be read further."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        if len(data) > max_head:
            raise RefusedRequestError(431, f"the head is over {max_head} bytes")
        return None
    if end + 4 > max_head:
        raise RefusedRequestError(431, f"the head is over {max_head} bytes")
    lines = bytes(data[:end]).split(b"\r\n")
    first = 2 if lines[0].startswith(b"PROXY ") else 1
    lengths: set[bytes] = set()
    expects_continue = False
    for line in lines[first:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise RefusedRequestError(400, "a header line without a colon")
        name, value = name.strip().lower(), value.strip()
        if name == b"content-length":
            lengths.add(value)
        elif name == b"transfer-encoding":
            raise RefusedRequestError(411, "Transfer-Encoding instead of Content-Length")
        elif name == b"expect" and value.lower() == b"100-continue":
            expects_continue = True
    if len(lengths) > 1:
        raise RefusedRequestError(400, "conflicting Content-Length headers")
    length = lengths.pop() if lengths else b"0"
    if not length.isdigit():
        raise RefusedRequestError(400, "malformed Content-Length")
    if len(length) > 12 or int(length) > max_body:
        raise RefusedRequestError(
            413, f"a body of {length[:16].decode()} bytes is over the {max_body} limit"
        )
    return Framing(end + 4, end + 4 + int(length), expects_continue)


def without_expect(head: bytes) -> bytes:
    """`head` without its `Expect` header: the main loop has answered it already."""
    lines = head.split(b"\r\n")
    return b"\r\n".join(line for line in lines if not line.lower().startswith(b"expect:"))


@dataclass(eq=False)
class _Connection:
    sock: socket.socket
    client: Any
    server: Any
    accepted: float
    deadline: float
    data: bytearray = field(default_factory=bytearray)
    framing: Framing | None = None
    continued: bool = False


class BufferingWorker(base.Worker):  # type: ignore[misc]  # gunicorn has no type hints
    """A gunicorn worker that reads each request whole in its main loop, then answers it
    in one of `--threads` threads (see the module's docstring)."""

    alive: bool  # gunicorn's: False once the worker is to stop

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.threads = max(1, int(self.cfg.threads))
        self.max_reading = max(1, int(self.cfg.worker_connections))
        # Connections by file descriptor, oldest first (each has the same time to arrive).
        self.reading: dict[int, _Connection] = {}
        self.lingering: dict[int, tuple[socket.socket, float]] = {}
        self.in_flight = 0  # requests given to threads and not yet answered
        self.lock = threading.Lock()
        self.accepting = False
        self.accept_paused_until = 0.0
        self.max_body = 0
        self.read_deadline = 0.0

    # ------------------------------------------------------------------ process

    def init_process(self) -> None:
        """Set up the selector and the threads, then run (gunicorn's order)."""
        # Imported here, in the worker: the master never loads the app.
        from app.web import MAX_BODY_BYTES, READ_DEADLINE_SECONDS

        self.max_body = MAX_BODY_BYTES
        self.read_deadline = READ_DEADLINE_SECONDS
        self.selector = selectors.DefaultSelector()
        self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="request")
        super().init_process()

    def load_wsgi(self) -> None:
        """Load the app, then send gunicorn's worker lines through the app's logging."""
        super().load_wsgi()
        if logging.getLogger().handlers:
            errors = logging.getLogger("gunicorn.error")
            errors.handlers.clear()
            errors.propagate = True

    def handle_quit(self, sig: int, frame: Any) -> None:
        """Quick shutdown (SIGINT, SIGQUIT): drop what is queued, then exit."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        super().handle_quit(sig, frame)

    def run(self) -> None:
        """The main loop: accept, read, hand whole requests to threads, expire the slow."""
        for listener in self.sockets:
            listener.setblocking(False)
        self.selector.register(self.PIPE[0], selectors.EVENT_READ, self._drain_wakeups)
        while self.alive:
            self.notify()
            now = time.monotonic()
            self._set_accepting(self._can_accept(now))
            self._wait(self._timeout(now))
            self._expire(time.monotonic())
            if self.ppid != os.getppid():
                self.log.info("Parent changed, shutting down: %s", self)
                break
        self._shutdown()

    def _wait(self, timeout: float) -> None:
        for key, _events in self.selector.select(timeout):
            key.data(key.fileobj)

    def _shutdown(self) -> None:
        """Stop accepting; let requests being read or answered finish within the graceful
        timeout; then close the rest."""
        self._set_accepting(False)
        until = time.monotonic() + float(self.cfg.graceful_timeout)
        while (self.reading or self._busy()) and time.monotonic() < until:
            self.notify()
            self._wait(min(0.5, self._timeout(time.monotonic())))
            self._expire(time.monotonic())
        for connection in list(self.reading.values()):
            self._forget(connection)
            util.close(connection.sock)
        for sock, _until in list(self.lingering.values()):
            self._stop_lingering(sock)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.selector.close()

    # ------------------------------------------------------------------ accepting

    def _busy(self) -> int:
        with self.lock:
            return self.in_flight

    def _can_accept(self, now: float) -> bool:
        if not self.alive or now < self.accept_paused_until:
            return False
        return self._busy() < self.threads

    def _set_accepting(self, accepting: bool) -> None:
        if accepting == self.accepting:
            return
        for listener in self.sockets:
            if accepting:
                self.selector.register(listener, selectors.EVENT_READ, self._accept)
            else:
                self.selector.unregister(listener)
        self.accepting = accepting

    def _accept(self, listener: Any) -> None:
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                self.log.warning("Cannot accept a connection for now: %s", error)
                self.accept_paused_until = time.monotonic() + 0.5
            return  # EAGAIN: another worker took it; ECONNABORTED: the client left
        sock.setblocking(False)
        util.close_on_exec(sock.fileno())
        if len(self.reading) >= self.max_reading:
            oldest = next(iter(self.reading.values()))
            self._refuse(oldest, 408, f"{len(self.reading)} connections were being read")
        now = time.monotonic()
        connection = _Connection(
            sock, client, listener.getsockname(), now, now + self.read_deadline
        )
        self.reading[sock.fileno()] = connection
        self.selector.register(sock, selectors.EVENT_READ, self._readable)
        self._read(connection)  # the request often arrives with the connection

    # ------------------------------------------------------------------ reading

    def _readable(self, sock: socket.socket) -> None:
        connection = self.reading.get(sock.fileno())
        if connection is not None:
            self._read(connection)

    def _read(self, connection: _Connection) -> None:
        try:
            data = connection.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client left
            self._forget(connection)
            util.close(connection.sock)
            return
        connection.data += data
        try:
            if connection.framing is None:
                connection.framing = frame(
                    connection.data, max_head=MAX_HEAD_BYTES, max_body=self.max_body
                )
        except RefusedRequestError as refused:
            self._refuse(connection, refused.status, refused.reason)
            return
        framing = connection.framing
        if framing is None:
            return
        if len(connection.data) >= framing.total:
            self._hand_over(connection, framing)
        elif framing.expects_continue and not connection.continued:
            connection.continued = True
            self._send(connection.sock, b"HTTP/1.1 100 Continue\r\n\r\n")

    def _hand_over(self, connection: _Connection, framing: Framing) -> None:
        self._forget(connection)
        head = bytes(connection.data[: framing.head_end])
        if framing.expects_continue:
            head = without_expect(head)
        request = head + bytes(connection.data[framing.head_end : framing.total])
        with self.lock:
            self.in_flight += 1
        self.pool.submit(self._serve, connection, request)

    def _forget(self, connection: _Connection) -> None:
        if self.reading.pop(connection.sock.fileno(), None) is not None:
            self.selector.unregister(connection.sock)

    def _expire(self, now: float) -> None:
        while self.reading:
            oldest = next(iter(self.reading.values()))
            if oldest.deadline > now:
                break
            if oldest.data:
                arrived = f"{len(oldest.data)} bytes"
                self._refuse(oldest, 408, f"only {arrived} in {self.read_deadline:g} s")
            else:  # nothing was asked: nothing to answer
                self._forget(oldest)
                util.close(oldest.sock)
        while self.lingering:
            sock, until = next(iter(self.lingering.values()))
            if until > now:
                break
            self._stop_lingering(sock)

    def _timeout(self, now: float) -> float:
        wake = [now + 1.0]  # gunicorn's heartbeat (`notify`) wants a turn every second
        if self.reading:
            wake.append(next(iter(self.reading.values())).deadline)
        if self.accept_paused_until > now:
            wake.append(self.accept_paused_until)
        if self.lingering:
            wake.append(next(iter(self.lingering.values()))[1])
        return max(0.0, min(wake) - now)

    def _drain_wakeups(self, pipe: int) -> None:
        try:
            while os.read(pipe, 4096):
                pass
        except OSError:
            pass

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe: the loop wakes up anyway
            os.write(self.PIPE[1], b".")

    # ------------------------------------------------------------------ answering here

    def _send(self, sock: socket.socket, data: bytes) -> None:
        with contextlib.suppress(OSError):  # the client left: nothing to tell it
            sock.send(data)

    def _refuse(self, connection: _Connection, status: int, reason: str) -> None:
        """Answer `status` from the main loop, log it, and close (lingering)."""
        self._forget(connection)
        phrase = _PHRASES[status]
        body = f"{phrase}: {reason}\n".encode()
        self._send(
            connection.sock,
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body,
        )
        words = request_line(bytes(connection.data[:1024])).split(b" ")
        method = words[0][:16].decode("latin-1") if len(words) > 1 else "-"
        path = words[1].split(b"?", 1)[0][:200].decode("latin-1") if len(words) > 1 else "-"
        duration_ms = round((time.monotonic() - connection.accepted) * 1000, 2)
        logger.info(
            "%s %s %s %.2f ms: %s",
            method,
            path,
            status,
            duration_ms,
            reason,
            extra={
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "reason": reason,
            },
        )
        self._linger(connection.sock)

    def _linger(self, sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            util.close(sock)
            return
        self.lingering[sock.fileno()] = (sock, time.monotonic() + LINGER_SECONDS)
        self.selector.register(sock, selectors.EVENT_READ, self._discard)

    def _discard(self, sock: socket.socket) -> None:
        try:
            if sock.recv(256 * 1024):
                return
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._stop_lingering(sock)

    def _stop_lingering(self, sock: socket.socket) -> None:
        if self.lingering.pop(sock.fileno(), None) is not None:
            self.selector.unregister(sock)
        util.close(sock)

    # ------------------------------------------------------------------ threads

    def _serve(self, connection: _Connection, data: bytes) -> None:
        """Answer one whole request (in a thread), then close its connection."""
        request = None
        sock = connection.sock
        try:
            sock.settimeout(SEND_TIMEOUT_SECONDS)
            request = next(RequestParser(self.cfg, [data], connection.client))
            self._answer(request, connection)
        except (StopIteration, NoMoreData):
            pass
        except OSError as error:  # the client left, or did not take its answer in time
            self.log.debug("Closing a connection: %s", error)
        except Exception as error:  # gunicorn's parser refused it, or the app raised
            self.handle_error(request, sock, connection.client, error)
        finally:
            util.close(sock)
            with self.lock:
                self.in_flight -= 1
            self._wake()

    def _answer(self, request: Any, connection: _Connection) -> None:
        environ: dict[str, Any] = {}
        response = None
        try:
            self.cfg.pre_request(self, request)
            started = datetime.now()
            response, environ = wsgi.create(
                request, connection.sock, connection.client, connection.server, self.cfg
            )
            environ["wsgi.multithread"] = True
            response.force_close()
            self._count_request()
            answer = self.wsgi(environ, response.start_response)
            try:
                if isinstance(answer, environ["wsgi.file_wrapper"]):
                    response.write_file(answer)
                else:
                    for chunk in answer:
                        response.write(chunk)
                response.close()
            finally:
                self.log.access(response, request, environ, datetime.now() - started)
                if hasattr(answer, "close"):
                    answer.close()
        finally:
            try:
                self.cfg.post_request(self, request, environ, response)
            except Exception:
                self.log.exception("Exception in post_request hook")

    def _count_request(self) -> None:
        with self.lock:
            self.nr += 1
            if self.nr >= self.max_requests and self.alive:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
                self._wake()
