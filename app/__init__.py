"""okrbot: a Slack app for team OKR check-ins."""

__version__ = "0.1.0"
