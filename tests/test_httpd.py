"""The web worker's framing: where a request ends, read from its head alone."""

from __future__ import annotations

import pytest

from app.httpd import Framing, RefusedRequestError, frame, request_line, without_expect

LIMITS = {"max_head": 1024, "max_body": 100}


def test_a_head_still_arriving_has_no_framing_yet() -> None:
    assert frame(b"POST /slack/events HTTP/1.1\r\nContent-Len", **LIMITS) is None


def test_the_body_ends_where_content_length_says() -> None:
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\ncontent-length:  12 \r\n\r\n"
    assert frame(head + b"abc", **LIMITS) == Framing(len(head), len(head) + 12, False)
    get = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    assert frame(get + b"GET /next", **LIMITS) == Framing(len(get), len(get), False)


def test_expect_100_continue_is_noted_and_taken_out_before_the_app() -> None:
    head = b"POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"
    framing = frame(head, **LIMITS)
    assert framing is not None and framing.expects_continue
    assert without_expect(head) == b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n"


def test_a_proxy_protocol_line_comes_before_the_request_line() -> None:
    head = b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nPOST /x HTTP/1.1\r\nContent-Length: 1\r\n\r\n"
    assert frame(head, **LIMITS) == Framing(len(head), len(head) + 1, False)
    assert request_line(head) == b"POST /x HTTP/1.1"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413),
        (b"POST / HTTP/1.1\r\nContent-Length: " + b"9" * 40 + b"\r\n\r\n", 413),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: \xc2\xb2\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        (b"POST / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 2000, 431),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 2000 + b"\r\n\r\n", 431),
    ],
)
def test_what_must_not_be_read_further_is_refused(data: bytes, status: int) -> None:
    with pytest.raises(RefusedRequestError) as refused:
        frame(data, **LIMITS)
    assert refused.value.status == status
