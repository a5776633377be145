"""``auth.test`` and ``users.info``: who the token is, and the workspace's people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.tryout.standin.core import StandInCore
from app.tryout.standin.oauth import OAuthAuthority
from app.tryout.standin.records import ApiError

_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
}


class UserMethods(StandInCore):
    """The Web API methods about the caller and the workspace's members."""

    oauth: OAuthAuthority

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        workspace = self.oauth.workspaces[self._caller_team or self.team_id]
        body: dict[str, Any] = {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": workspace.name,
            "user": "okrbot",
            "team_id": workspace.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }
        if workspace.enterprise_id:
            body["enterprise_id"] = workspace.enterprise_id
        return body

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user")
        if user_id == self.bot_user_id:
            return {"user": self._bot_user()}
        user = self.users.get(str(user_id))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": self._user_object(user)}

    def _tz_fields(self, tz: str) -> tuple[str, int]:
        try:
            moment = datetime.fromtimestamp(self._now(), ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            return tz, 0
        offset = moment.utcoffset()
        abbreviation = moment.tzname() or tz
        seconds = int(offset.total_seconds()) if offset is not None else 0
        return _TZ_LABELS.get(abbreviation, abbreviation), seconds

    def _user_object(self, user: Mapping[str, Any]) -> dict[str, Any]:
        tz_label, tz_offset = self._tz_fields(user["tz"])
        return {
            "id": user["id"],
            "team_id": user["team_id"],
            "name": user["name"],
            "deleted": False,
            "real_name": user["real_name"],
            "tz": user["tz"],
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_admin": user["is_admin"],
            "is_owner": False,
            "is_bot": False,
            "is_app_user": False,
            "profile": {
                "real_name": user["real_name"],
                "display_name": user["name"],
                "team": user["team_id"],
            },
        }

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_user_id,
            "team_id": self.team_id,
            "name": "okrbot",
            "deleted": False,
            "real_name": "OKR Bot",
            "tz": "America/Los_Angeles",
            "tz_label": "Pacific Standard Time",
            "tz_offset": -28800,
            "is_admin": False,
            "is_owner": False,
            "is_bot": True,
            "is_app_user": False,
            "profile": {
                "real_name": "OKR Bot",
                "display_name": "",
                "bot_id": self.bot_id,
                "api_app_id": self.app_id,
                "team": self.team_id,
            },
        }
