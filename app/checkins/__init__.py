"""The weekly check-in ritual: deciding what is due and delivering it exactly once."""

# The steps of a delivery a test can kill a `okrbot tick` at (`--crash-at`).
CRASH_POINTS = ("planned", "claimed", "posted", "recorded")
