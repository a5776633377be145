"""What the stand-in's modules share: recorded calls, replies, API errors and id helpers."""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from app.slack.limits import iter_elements

_ID_ALPHABET = string.ascii_uppercase + string.digits


class StandInError(ValueError):
    """The app asked the stand-in for something Slack would refuse outside the Web API.

    Raised by :meth:`SlackStandIn.apply_view_response` for an invalid ``response_action``
    payload: in Slack the user would see a generic error and the modal would stay.
    """


@dataclass(frozen=True)
class Call:
    """One recorded request to the stand-in (Web API method or response URL)."""

    method: str
    args: dict[str, Any]
    response: dict[str, Any]
    status: int
    at: float
    # The workspace whose token made the call (None for calls without a valid token).
    team_id: str | None = None


@dataclass
class Fault:
    status: int
    retry_after: int
    error: str
    remaining: int


@dataclass
class Bucket:
    per_second: float
    tokens: float
    updated: float


@dataclass
class Reply:
    """What one HTTP request is answered with."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def random_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def stable_id(prefix: str, seed: str) -> str:
    digest = hashlib.sha1(seed.encode("utf-8")).hexdigest().upper()
    return prefix + digest[:10]


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def invalid_arguments(problems: list[Any], prefix: str) -> ApiError:
    messages = [f"[ERROR] {p.message} [json-pointer:{prefix}{p.pointer}]" for p in problems]
    return ApiError("invalid_arguments", response_metadata={"messages": messages})


def invalid_argument(message: str) -> ApiError:
    """``invalid_arguments`` with one message, in Slack's ``[ERROR] ...`` form."""
    return ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]})


def fill_ids(blocks: list[Any] | None) -> list[Any] | None:
    """Give every block a block_id and every interactive element an action_id, as Slack does."""
    if not blocks:
        return blocks
    for block in blocks:
        if isinstance(block, dict) and not block.get("block_id"):
            block["block_id"] = "".join(secrets.choice(string.ascii_letters) for _ in range(5))
    for _, element in iter_elements(b for b in blocks if isinstance(b, dict)):
        needs_id = element.get("type") != "image" and not element.get("action_id")
        if isinstance(element, dict) and needs_id:
            element["action_id"] = "".join(
                secrets.choice(string.ascii_letters + string.digits) for _ in range(5)
            )
    return blocks
