"""The domain layer: plain data and rules, with no Slack imports."""
