"""An open-loop HTTP load generator: requests go out on a fixed schedule, answered or not.

`loadgen.py` is closed-loop (a client sends its next request when the previous answer is
in), which measures how fast a server can go. A sustained arrival rate needs the other
kind: Slack sends a check-in submission when a person presses the button, whether or not
the app is keeping up. Here every request has its due time (`at`, seconds after the start);
it is sent then on an idle keep-alive connection, or a new one. If the server falls
behind, requests pile up in flight instead of being sent later, and each request's
latency is counted from its *due* time, not from when it could be sent (no "coordinated
omission": a stalled server cannot hide the requests it delayed).

It runs as its own process (`bench_scale.py` starts it), reads one JSON job on stdin and
writes one JSON result on stdout:

    {"host": "127.0.0.1", "port": 8001, "path": "/slack/events", "signing_secret": "...",
     "templates": ["payload=...%22__STATE__%22..."],
     "requests": [{"at": 0.005, "template": 0, "fill": {"__STATE__": {...}, ...}}, ...],
     "max_in_flight": 2000, "drain_seconds": 30}

A request's form body is its template with each `fill` key, JSON-quoted and URL-encoded as
it appears in the template (`%22__STATE__%22`), replaced by the value's JSON, URL-encoded
alike. Bodies are built and signed (Slack's `v0=` HMAC-SHA256, one timestamp: signatures
are accepted for five minutes) before the first due time. An answer is right when it is
`200` with an empty body (a view submission acknowledged without `response_action`).

The result holds, per request in job order: `[sent_lag_us, latency_us, error]`, where
`sent_lag_us` is how late after its due time it was written, `latency_us` runs from the due
time to the end of the answer (-1 without one), `error` is None or why it is wrong; plus
`started_wall` (epoch seconds of the schedule's zero) and the client's CPU seconds.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import selectors
import socket
import sys
import time
from typing import Any
from urllib.parse import quote_plus

from loadgen import USER_AGENT, _parse_response, slack_signature

IDLE_REUSE_SECONDS = 3.0


def build_bodies(job: dict[str, Any]) -> list[bytes]:
    """Every request's raw HTTP bytes, signed now."""
    timestamp = str(int(time.time()))
    marks: dict[str, str] = {}
    raws = []
    for request in job["requests"]:
        body = job["templates"][request["template"]]
        for key, value in request.get("fill", {}).items():
            mark = marks.setdefault(key, quote_plus(json.dumps(key)))
            body = body.replace(mark, quote_plus(json.dumps(value, separators=(",", ":"))))
        encoded = body.encode()
        head = (
            f"POST {job['path']} HTTP/1.1\r\n"
            f"Host: {job['host']}:{job['port']}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(encoded)}\r\n"
            f"User-Agent: {USER_AGENT}\r\n"
            f"X-Slack-Request-Timestamp: {timestamp}\r\n"
            f"X-Slack-Signature: {slack_signature(job['signing_secret'], timestamp, body)}\r\n"
            "\r\n"
        )
        raws.append(head.encode() + encoded)
    return raws


class _Connection:
    __slots__ = ("buffer", "connecting", "idle_since", "index", "outgoing", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.connecting = False
        self.idle_since = 0.0
        self.buffer = bytearray()
        self.outgoing = memoryview(b"")
        self.index = -1


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Send every request at its due time; collect the answers."""
    raws = build_bodies(job)
    due = [float(request["at"]) for request in job["requests"]]
    order = sorted(range(len(due)), key=due.__getitem__)
    address = (job["host"], job["port"])
    max_in_flight = int(job.get("max_in_flight", 2000))
    results: list[list[Any]] = [[-1, -1, "never sent"] for _ in due]
    selector = selectors.DefaultSelector()
    idle: list[_Connection] = []
    in_flight = 0
    cpu_before = _cpu_seconds()
    start = time.perf_counter() + 0.2
    started_wall = time.time() + 0.2
    last_due = start + (due[order[-1]] if order else 0.0)
    drain_until = last_due + float(job.get("drain_seconds", 30))
    position = 0

    def finish(connection: _Connection, error: str | None, *, keep: bool) -> None:
        nonlocal in_flight
        index = connection.index
        if index >= 0:
            latency = -1 if error else round((time.perf_counter() - start - due[index]) * 1e6)
            results[index][1] = latency
            results[index][2] = error
            in_flight -= 1
        connection.index = -1
        connection.buffer.clear()
        if keep:
            selector.modify(connection.sock, selectors.EVENT_READ, connection)
            connection.idle_since = time.perf_counter()
            idle.append(connection)
        else:
            selector.unregister(connection.sock)
            connection.sock.close()

    def send(index: int) -> None:
        nonlocal in_flight
        connection = None
        while idle and connection is None:
            connection = idle.pop()
            # The server closes keep-alive connections idle for 5 s: don't race it.
            if time.perf_counter() - connection.idle_since > IDLE_REUSE_SECONDS:
                selector.unregister(connection.sock)
                connection.sock.close()
                connection = None
        results[index][0] = round((time.perf_counter() - start - due[index]) * 1e6)
        if connection is None:
            # Connect without blocking: a server whose backlog is full must not stall the
            # schedule of every other request.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            code = sock.connect_ex(address)
            if code not in (0, errno.EINPROGRESS):
                sock.close()
                results[index][2] = f"connect: {os.strerror(code)}"
                return
            connection = _Connection(sock)
            connection.connecting = code != 0
            selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, connection)
        else:
            selector.modify(
                connection.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, connection
            )
        connection.index = index
        connection.outgoing = memoryview(raws[index])
        in_flight += 1
        write(connection)

    def write(connection: _Connection) -> None:
        if connection.connecting:
            code = connection.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code == errno.EINPROGRESS:
                return
            if code:
                finish(connection, f"connect: {os.strerror(code)}", keep=False)
                return
            connection.connecting = False
        try:
            sent = connection.sock.send(connection.outgoing)
        except BlockingIOError:
            return
        except OSError as failure:
            finish(connection, f"send: {failure}", keep=False)
            return
        connection.outgoing = connection.outgoing[sent:]
        if not connection.outgoing:
            selector.modify(connection.sock, selectors.EVENT_READ, connection)

    while True:
        now = time.perf_counter()
        while position < len(order) and start + due[order[position]] <= now:
            if in_flight >= max_in_flight:
                break
            send(order[position])
            position += 1
        if position >= len(order) and in_flight == 0:
            break
        if now > drain_until:
            break
        wait = 0.05
        if position < len(order) and in_flight < max_in_flight:
            wait = max(0.0, min(wait, start + due[order[position]] - time.perf_counter()))
        for key, events in selector.select(timeout=wait):
            connection: _Connection = key.data
            if events & selectors.EVENT_WRITE and connection.outgoing:
                write(connection)
            if not events & selectors.EVENT_READ or connection.sock.fileno() < 0:
                continue
            try:
                data = connection.sock.recv(262144)
            except BlockingIOError:
                continue
            except OSError as failure:
                if failure.errno == errno.EAGAIN:
                    continue
                finish(connection, f"recv: {failure}", keep=False)
                continue
            if connection.index < 0:
                # An idle connection the server closed (or, wrongly, spoke on): drop it.
                idle.remove(connection)
                finish(connection, None, keep=False)
                continue
            if not data:
                finish(connection, "connection closed before the answer", keep=False)
                continue
            connection.buffer += data
            parsed = _parse_response(connection.buffer)
            if parsed is None:
                continue
            status, body, close, _used = parsed
            problem = None
            if status != 200:
                problem = f"HTTP {status}: {body[:160]!r}"
            elif body.strip():
                problem = f"answered {body[:160]!r}"
            finish(connection, problem, keep=not close)
    for key in list(selector.get_map().values()):
        connection = key.data
        if connection.index >= 0:
            results[connection.index][2] = "no answer before the end of the drain"
        connection.sock.close()
    selector.close()
    return {
        "results": results,
        "started_wall": started_wall,
        "client_cpu_seconds": _cpu_seconds() - cpu_before,
        "wall_seconds": time.perf_counter() - start,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    """Read a job on stdin, write the result on stdout."""
    job = json.load(sys.stdin)
    try:
        result = run(job)
    except KeyboardInterrupt:
        return 130
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
