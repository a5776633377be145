"""How people name an objective (`O12`) or a key result (`KR34`) in commands and buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_REF = re.compile(r"^#?(kr|o)-?(\d{1,12})$", re.IGNORECASE)


def objective_ref(objective_id: int) -> str:
    """How people refer to an objective in commands: `O12`."""
    return f"O{objective_id}"


def key_result_ref(key_result_id: int) -> str:
    """How people refer to a key result in commands: `KR34`."""
    return f"KR{key_result_id}"


@dataclass(frozen=True)
class Ref:
    """A reference to an objective or a key result."""

    kind: Literal["objective", "key_result"]
    id: int

    @property
    def label(self) -> str:
        """How the reference is written back to people."""
        return objective_ref(self.id) if self.kind == "objective" else key_result_ref(self.id)


def parse_ref(text: str) -> Ref | None:
    """`O12`, `o12`, `KR34`, `#KR-34` → a Ref; anything else → None."""
    match = _REF.match(text.strip())
    if not match:
        return None
    if match.group(1).lower() == "kr":
        return Ref("key_result", int(match.group(2)))
    return Ref("objective", int(match.group(2)))
