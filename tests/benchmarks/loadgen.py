"""A closed-loop HTTP load generator that signs requests the way Slack does.

It is run as its own process (`bench_http.py` starts one per measurement) so that its CPU
time is measured apart from everything else and its GIL never delays the servers' helpers.
It reads one JSON job on stdin and writes one JSON result on stdout:

    {"host": "127.0.0.1", "port": 8001, "path": "/slack/events",
     "signing_secret": "...", "bodies": [{"body": "...", "expect": "Team 042"}, ...],
     "allow_empty": true, "concurrency": 8, "warmup": 1.0, "seconds": 5.0,
     "mode": "loop", "seed": 1}

Every body is signed once, at the start of the run, with a fresh timestamp (Slack's
signatures are accepted for five minutes), so the clients only copy pre-built bytes.
Each of the `concurrency` clients keeps one connection open (reconnecting when the server
says `Connection: close`) and sends its next request as soon as the previous answer is in:
a closed loop. A request's latency is the time from just before it is sent to just after
its whole answer is read. Requests started during the warm-up are not measured.

A request is an error when the answer is not `200`, or its body lacks the `expect` text
(an empty body is accepted when `allow_empty`: a `/okr list` answered through the
response URL acks with an empty body).

Two client modes, same protocol:

* `loop` (default): one thread drives every connection with `selectors`, raw sockets and
  pre-built request bytes; about 30-40 µs of client CPU per request.
* `threads`: one thread per client with a keep-alive `http.client.HTTPConnection`; simpler,
  but `http.client` costs several times more CPU per request, and the threads contend for
  the GIL: on a 2-core machine that CPU is taken from the server under test.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import resource
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class PreparedRequest:
    """One signed request: raw bytes for the loop mode, parts for `http.client`."""

    raw: bytes
    body: bytes
    headers: dict[str, str]
    expect: bytes | None


@dataclass
class Tally:
    """What one phase (warm-up or measurement) saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    empty: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, why: str) -> None:
        """Count an error, keeping the first few reasons."""
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(why)


def slack_signature(secret: str, timestamp: str, body: str) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs requests."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def prepare(job: dict[str, Any]) -> list[PreparedRequest]:
    """Sign every body of the job with one fresh timestamp."""
    timestamp = str(int(time.time()))
    prepared = []
    for item in job["bodies"]:
        body: str = item["body"]
        headers = {
            "Host": f"{job['host']}:{job['port']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body.encode())),
            "User-Agent": USER_AGENT,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(job["signing_secret"], timestamp, body),
        }
        head = f"POST {job['path']} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        raw = (head + "\r\n").encode() + body.encode()
        expect = item.get("expect")
        prepared.append(
            PreparedRequest(
                raw=raw,
                body=body.encode(),
                headers={k: v for k, v in headers.items() if k not in ("Host", "Content-Length")},
                expect=expect.encode() if expect else None,
            )
        )
    return prepared


def check(status: int, body: bytes, request: PreparedRequest, allow_empty: bool) -> str | None:
    """Why the answer is wrong, or None when it is right."""
    if status != 200:
        return f"HTTP {status}: {body[:120]!r}"
    if request.expect is None or request.expect in body:
        return None
    if allow_empty and not body:
        return None
    return f"missing {request.expect!r} in {body[:120]!r}"


def _parse_response(buffer: bytes | bytearray) -> tuple[int, bytes, bool, int] | None:
    """(status, body, server closes, bytes used) once a whole answer is in `buffer`."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = bytes(buffer[:head_end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length: int | None = None
    close = lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            close = value.strip().lower() == "close"
    if length is None:
        raise ValueError("answer without Content-Length")
    end = head_end + 4 + length
    if len(buffer) < end:
        return None
    return status, bytes(buffer[head_end + 4 : end]), close, end


class _Connection:
    __slots__ = ("buffer", "request", "sock", "started")

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.buffer = bytearray()
        self.request: PreparedRequest | None = None
        self.started = 0.0


def run_loop(
    job: dict[str, Any], requests: list[PreparedRequest], warm: Tally, measured: Tally
) -> float:
    """The `loop` mode; returns the second (perf_counter) the measurement started."""
    address = (job["host"], job["port"])
    allow_empty = bool(job.get("allow_empty"))
    rng = random.Random(job.get("seed", 1))
    selector = selectors.DefaultSelector()
    start = time.perf_counter()
    measure_from = start + job["warmup"]
    stop_at = measure_from + job["seconds"]

    def connect(connection: _Connection) -> None:
        sock = socket.create_connection(address, timeout=TIMEOUT_SECONDS)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.sock = sock
        connection.buffer.clear()
        selector.register(sock, selectors.EVENT_READ, connection)

    def disconnect(connection: _Connection) -> None:
        if connection.sock is not None:
            selector.unregister(connection.sock)
            connection.sock.close()
            connection.sock = None

    def send(connection: _Connection) -> None:
        if connection.sock is None:
            connect(connection)
        assert connection.sock is not None
        connection.request = requests[rng.randrange(len(requests))]
        connection.started = time.perf_counter()
        connection.sock.sendall(connection.request.raw)

    connections = [_Connection() for _ in range(job["concurrency"])]
    for connection in connections:
        send(connection)
    active = len(connections)
    while active:
        events = selector.select(timeout=TIMEOUT_SECONDS)
        if not events:
            raise TimeoutError(f"no answer within {TIMEOUT_SECONDS} s")
        for key, _ in events:
            connection: _Connection = key.data
            assert connection.sock is not None and connection.request is not None
            tally = measured if connection.started >= measure_from else warm
            try:
                data = connection.sock.recv(262144)
            except OSError as failure:
                data, why = b"", f"{type(failure).__name__}: {failure}"
            else:
                why = "connection closed before the answer"
            if not data:
                tally.error(why)
                disconnect(connection)
            else:
                connection.buffer += data
                parsed = _parse_response(connection.buffer)
                if parsed is None:
                    continue
                finished = time.perf_counter()
                status, body, close, used = parsed
                del connection.buffer[:used]
                problem = check(status, body, connection.request, allow_empty)
                if problem:
                    tally.error(problem)
                else:
                    tally.latencies.append(finished - connection.started)
                    tally.empty += not body
                if close:
                    disconnect(connection)
            if time.perf_counter() >= stop_at:
                disconnect(connection)
                active -= 1
            else:
                send(connection)
    selector.close()
    return measure_from


def run_threads(
    job: dict[str, Any], requests: list[PreparedRequest], warm: Tally, measured: Tally
) -> float:
    """The `threads` mode; returns the second (perf_counter) the measurement started."""
    allow_empty = bool(job.get("allow_empty"))
    start = time.perf_counter()
    measure_from = start + job["warmup"]
    stop_at = measure_from + job["seconds"]
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(job.get("seed", 1) * 1000 + number)
        connection = http.client.HTTPConnection(job["host"], job["port"], timeout=TIMEOUT_SECONDS)
        while True:
            request = requests[rng.randrange(len(requests))]
            started = time.perf_counter()
            if started >= stop_at:
                break
            try:
                connection.request("POST", job["path"], body=request.body, headers=request.headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as failure:
                connection.close()
                status, body = 0, f"{type(failure).__name__}: {failure}".encode()
            finished = time.perf_counter()
            problem = check(status, body, request, allow_empty)
            tally = measured if started >= measure_from else warm
            with lock:
                if problem:
                    tally.error(problem)
                else:
                    tally.latencies.append(finished - started)
                    tally.empty += not body
        connection.close()

    threads = [
        threading.Thread(target=client, args=(n,), daemon=True) for n in range(job["concurrency"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return measure_from


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job; the result is JSON-ready."""
    requests = prepare(job)
    warm, measured = Tally(), Tally()
    runner = run_threads if job.get("mode") == "threads" else run_loop
    cpu_before = _cpu_seconds()
    measure_from = runner(job, requests, warm, measured)
    ended = time.perf_counter()
    cpu = _cpu_seconds() - cpu_before
    wall = ended - measure_from + job["warmup"]
    return {
        "latencies_us": [round(seconds * 1e6) for seconds in measured.latencies],
        "errors": measured.errors,
        "empty": measured.empty,
        "error_samples": measured.error_samples + warm.error_samples,
        "measured_seconds": ended - measure_from,
        "warmup_requests": len(warm.latencies) + warm.errors,
        "warmup_errors": warm.errors,
        "warmup_empty": warm.empty,
        # The client's CPU over the whole run (warm-up included), as a share of one core.
        "client_cpu_seconds": cpu,
        "client_cpu_share": cpu / wall if wall > 0 else 0.0,
    }


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
