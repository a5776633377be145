"""Vocabulary shared by the domain, the store and the Slack edge."""

from enum import StrEnum


class KRKind(StrEnum):
    """How a key result's number is judged."""

    increase = "increase"
    decrease = "decrease"
    stay_above = "stay_above"
    stay_below = "stay_below"
    milestone = "milestone"


class Confidence(StrEnum):
    """What the owner says about a key result at a check-in."""

    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"


class Status(StrEnum):
    """Lifecycle of objectives and key results."""

    active = "active"
    archived = "archived"
