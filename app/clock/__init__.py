"""The clock: prompts, reminders, digests and closings, each delivered exactly once."""

# The steps of a delivery a test can kill a `okrbot tick` at (`--crash-at`).
CRASH_POINTS = ("planned", "claimed", "posted", "recorded")
