"""A local stand-in for Slack: a Web API server, a driver that plays Slack, a renderer."""

from app.tryout.standin.driver import DriverResponse, SlackDriver
from app.tryout.standin.server import Call, SlackStandIn, StandInError

__all__ = ["Call", "DriverResponse", "SlackDriver", "SlackStandIn", "StandInError"]
