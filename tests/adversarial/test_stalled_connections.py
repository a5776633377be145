"""Issue #14, item 3: slow and stalled clients can't take the web process down.

The Procfile's web line runs as written, with its default 2 workers of 2 threads. Clients
that announce a body and stall, stop half-way through their head, or send nothing hold
connections, not the threads that answer: a signed `/okr help` is still answered while
more of them than there are threads hold on. The stalled are answered 408 once their
time is up, a body announced over the size cap 413 without being read, and nothing prints
a traceback. (The latency figure, against the same run without stalled clients, is
`tests/benchmarks/bench_stalled.py`'s: the suite has no timing assertions, only a client
timeout of a few seconds as the bound.)

`okrbot serve` keeps a burst of connections waiting for its accept loop instead of
refusing them.
"""

from __future__ import annotations

import hashlib
import hmac
import select
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.server import LocalServer
from app.tryout.standin import SlackDriver, SlackStandIn
from app.web import MAX_BODY_BYTES
from tests.adversarial.procfile import WebProcess, clean_environment, procfile_web
from tests.conftest import ALICE, BOT_TOKEN, SIGNING_SECRET

pytestmark = pytest.mark.e2e

THREADS = 2 * 2  # the Procfile's defaults: WEB_CONCURRENCY=2 workers, WEB_THREADS=2 each
STALLED_BODY = (
    b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nab"
)
HALF_A_HEAD = b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\nContent-Le"
CLIENT_TIMEOUT = 3.0  # seconds a request may take while the stalled hold on


@pytest.fixture
def web(standin: SlackStandIn, database_url: str, tmp_path: Path) -> Iterator[WebProcess]:
    env = clean_environment(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="INFO",
    )
    with procfile_web(env, tmp_path / "web.log") as process:
        yield process


def _connect(port: int, sent: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if sent:
        sock.sendall(sent)
    return sock


def _unanswered(sock: socket.socket) -> bool:
    """Still open, and nothing was sent to it (it is not readable)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


def _answer(sock: socket.socket, timeout: float) -> bytes:
    """Whatever the server sends before closing (within `timeout`)."""
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except OSError:
        pass
    return received


def test_a_signed_command_is_answered_while_stalled_connections_hold_on(
    web: WebProcess, standin: SlackStandIn
) -> None:
    slack = SlackDriver(
        app_url=f"{web.url}/slack/events",
        signing_secret=SIGNING_SECRET,
        standin=standin,
        timeout=CLIENT_TIMEOUT,
    )
    held = (
        [_connect(web.port, STALLED_BODY) for _ in range(4 * THREADS)]
        + [_connect(web.port, HALF_A_HEAD) for _ in range(THREADS)]
        + [_connect(web.port, b"") for _ in range(THREADS)]
    )
    try:
        time.sleep(0.5)  # let them reach the server first (ordering, not a measurement)
        response = slack.slash_command(user_id=ALICE, text="help")
        assert response.status == 200 and "/okr new" in response.body
        # ...while every one of them still holds on.
        assert all(_unanswered(sock) for sock in held)
        # Their time runs out: a started request is told so, a silent connection closed.
        answers = [_answer(sock, timeout=15) for sock in held]
    finally:
        for sock in held:
            sock.close()
    started = answers[: 5 * THREADS]
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in started), started
    assert answers[5 * THREADS :] == [b""] * THREADS
    output = web.output()
    assert "Traceback" not in output, output
    assert output.count(" 408 ") == 5 * THREADS, output


def test_a_body_over_the_cap_is_refused_before_it_is_read(web: WebProcess) -> None:
    announced = MAX_BODY_BYTES + 1
    with _connect(
        web.port,
        b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(announced).encode() + b"\r\n\r\n{",
    ) as sock:
        answer = _answer(sock, timeout=CLIENT_TIMEOUT)
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    # Just under the cap is read (and refused for its missing signature, not its size).
    body = b"{" + b" " * (MAX_BODY_BYTES - 2) + b"}"
    with _connect(
        web.port,
        b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    ) as sock:
        answer = _answer(sock, timeout=CLIENT_TIMEOUT)
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
    output = web.output()
    assert "Traceback" not in output and "        " * 1000 not in output, output[-2000:]


def test_okrbot_serve_keeps_a_burst_of_connections_waiting() -> None:
    """Before its accept loop runs, the kernel completes every handshake of a burst and
    queues the connections (socketserver's default backlog of 5 dropped all but six)."""

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
        return [b"ok"]

    burst = 64
    server = LocalServer(app)  # listening, not yet accepting
    clients = [socket.socket() for _ in range(burst)]
    started = False
    try:
        for client in clients:
            client.setblocking(False)
            client.connect_ex(server.httpd.server_address[:2])
        connected: set[socket.socket] = set()
        deadline = time.monotonic() + CLIENT_TIMEOUT
        while len(connected) < burst and time.monotonic() < deadline:
            waiting = [c for c in clients if c not in connected]
            _, writable, _ = select.select([], waiting, [], 0.1)
            connected.update(
                c for c in writable if not c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            )
        assert len(connected) == burst
        server.start()
        started = True
        for client in clients:
            client.setblocking(True)
            client.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        assert all(_answer(client, CLIENT_TIMEOUT).endswith(b"ok") for client in clients)
    finally:
        for client in clients:
            client.close()
        if started:
            server.stop()
        else:
            server.httpd.server_close()


def _signed_help() -> tuple[bytes, bytes]:
    body = urllib.parse.urlencode(
        {"command": "/okr", "text": "help", "user_id": ALICE, "team_id": "T0001"}
    ).encode()
    now = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{now}:".encode() + body, hashlib.sha256)
    return (
        b"POST /slack/events HTTP/1.1\r\nHost: okrbot\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"X-Slack-Request-Timestamp: " + now.encode() + b"\r\n"
        b"X-Slack-Signature: v0=" + mac.hexdigest().encode() + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
    ), body


@pytest.mark.backends("sqlite")
def test_the_web_worker_reads_requests_as_http_frames_them(web: WebProcess) -> None:
    head, body = _signed_help()
    # Sent in pieces, a byte at a time at first: answered once whole.
    with _connect(web.port, b"") as sock:
        whole = head + b"\r\n" + body
        for index in range(0, 40):
            sock.sendall(whole[index : index + 1])
        sock.sendall(whole[40:])
        answer = _answer(sock, CLIENT_TIMEOUT)
    assert answer.startswith(b"HTTP/1.1 200 ") and b"/okr new" in answer, answer[:300]
    # `Expect: 100-continue`, as curl sends a larger body: told to go on, then answered.
    with _connect(web.port, head + b"Expect: 100-continue\r\n\r\n") as sock:
        sock.settimeout(CLIENT_TIMEOUT)
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = _answer(sock, CLIENT_TIMEOUT)
    assert answer.startswith(b"HTTP/1.1 200 ") and b"/okr new" in answer, answer[:300]
    assert b"100 Continue" not in answer  # only once
    # One request per connection: a second one behind it is not read.
    with _connect(web.port, head + b"\r\n" + body + b"GET /healthz HTTP/1.1\r\n\r\n") as sock:
        answer = _answer(sock, CLIENT_TIMEOUT)
    assert answer.count(b"HTTP/1.1 ") == 1 and b"/okr new" in answer
    # What can't be framed without reading too much is refused from the head alone.
    for sent, status in (
        (b"POST /slack/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello", 411),
        (b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 70_000, 431),
        (b"POST /slack/events HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n", 400),
    ):
        with _connect(web.port, sent) as sock:
            answer = _answer(sock, CLIENT_TIMEOUT)
        assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer
    output = web.output()
    assert "Traceback" not in output, output
