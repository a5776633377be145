"""Every slash command, event, callback, block and action id the app uses, in one place.

Builders and listeners both import these, so an id typed in one file can never drift
from the one matched in another.
"""

from typing import Final

# Slash commands (also listed in manifest.yml).
OKR_COMMAND: Final = "/okr"
COMMANDS: Final = (OKR_COMMAND,)

# Events API subscriptions (also listed in manifest.yml).
EVENT_APP_HOME_OPENED: Final = "app_home_opened"
EVENT_APP_UNINSTALLED: Final = "app_uninstalled"
EVENT_TOKENS_REVOKED: Final = "tokens_revoked"
BOT_EVENTS: Final = (EVENT_APP_HOME_OPENED, EVENT_APP_UNINSTALLED, EVENT_TOKENS_REVOKED)

# The bot scopes an install asks for (also in manifest.yml; a test derives them from the
# Web API calls the code makes).
BOT_SCOPES: Final = (
    "channels:history",
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:write",
    "users:read",
)

# View callback ids.
VIEW_NEW_OBJECTIVE: Final = "okr_new_texts"
VIEW_NEW_NUMBERS: Final = "okr_new_numbers"
VIEW_EDIT_OBJECTIVE: Final = "okr_edit_objective"
VIEW_EDIT_KEY_RESULT: Final = "okr_edit_key_result"
VIEW_TEAM_PICK: Final = "okr_team_pick"
VIEW_TEAM_SETTINGS: Final = "okr_team_settings"
VIEW_TEAM_JOINED: Final = "okr_team_joined"
VIEW_EDIT_REVIEW: Final = "okr_edit_review"
VIEW_CHECKIN: Final = "okr_checkin"

# Block ids in the objective modals. Key result blocks are suffixed with their index.
BLOCK_OBJECTIVE_TITLE: Final = "objective_title"
BLOCK_OBJECTIVE_DESCRIPTION: Final = "objective_description"
BLOCK_OBJECTIVE_OWNER: Final = "objective_owner"
BLOCK_OBJECTIVE_TEAM: Final = "objective_team"
BLOCK_OBJECTIVE_PARENT: Final = "objective_parent"
BLOCK_KR_TITLE: Final = "kr_title_"
BLOCK_KR_OWNER: Final = "kr_owner_"
BLOCK_KR_KIND: Final = "kr_kind_"
BLOCK_KR_START: Final = "kr_start_"
BLOCK_KR_TARGET: Final = "kr_target_"
BLOCK_KR_CURRENT: Final = "kr_current_"
BLOCK_KR_UNIT: Final = "kr_unit_"

# Block ids of list sections, suffixed with the objective's id.
BLOCK_LIST_OBJECTIVE: Final = "list_objective_"

# Block ids in the check-in modal, suffixed with the key result's id.
BLOCK_CHECKIN_VALUE: Final = "ci_value_"
BLOCK_CHECKIN_CONFIDENCE: Final = "ci_confidence_"
BLOCK_CHECKIN_NOTE: Final = "ci_note_"
BLOCK_CHECKIN_ACTIONS: Final = "checkin_actions"

# Message metadata: marks what the bot posted, so a crashed send can be found again.
METADATA_DELIVERY: Final = "okrbot_delivery"

# Block ids in the team modals.
BLOCK_TEAM_CHOICE: Final = "team_choice"
BLOCK_TEAM_NAME: Final = "team_name"
BLOCK_TEAM_CHANNEL: Final = "team_channel"
BLOCK_TEAM_TIMEZONE: Final = "team_timezone"
BLOCK_TEAM_CHECKIN_DAY: Final = "team_checkin_day"
BLOCK_TEAM_CHECKIN_TIME: Final = "team_checkin_time"
BLOCK_TEAM_DIGEST_DAY: Final = "team_digest_day"
BLOCK_TEAM_DIGEST_TIME: Final = "team_digest_time"
BLOCK_TEAM_MAX_OBJECTIVES: Final = "team_max_objectives"
BLOCK_TEAM_MIN_KEY_RESULTS: Final = "team_min_key_results"
BLOCK_TEAM_MAX_KEY_RESULTS: Final = "team_max_key_results"

# The one action id of every input element: inputs are told apart by their block id.
ACTION_INPUT: Final = "value"

# Interactive actions.
ACTION_BACK_TO_TEXTS: Final = "okr_new_back"
ACTION_LIST_MENU: Final = "okr_list_menu"
ACTION_UNDO_ARCHIVE: Final = "okr_undo_archive"
ACTION_OPEN_NEW: Final = "okr_open_new"
ACTION_OPEN_TEAM: Final = "okr_open_team"
ACTION_REVIEW_EDIT: Final = "okr_review_edit"
ACTION_CHECKIN_UPDATE: Final = "okr_checkin_update"
ACTION_CHECKIN_NO_CHANGE: Final = "okr_checkin_no_change"
ACTION_CHECKIN_SKIP: Final = "okr_checkin_skip"

# Values of the list menus' options: `edit:12` (objective O12), `archive:kr34` (KR34).
MENU_EDIT: Final = "edit"
MENU_ARCHIVE: Final = "archive"

# The team picker's option for creating a new team.
NEW_TEAM_VALUE: Final = "new"


def kr_block(prefix: str, index: int) -> str:
    """The block id of a key result field, e.g. `kr_block(BLOCK_KR_TITLE, 0)`."""
    return f"{prefix}{index}"


# Closing a cycle
# The "Carry into <next cycle>" button on an unfinished key result of a closing report; its
# value is the key result's id (see app.slack.views.closing.carry_value).
ACTION_CARRY_OVER: Final = "okr_carry_over"
# Block ids of the closing report's sections, suffixed with the objective's or key result's id.
BLOCK_CLOSING_OBJECTIVE: Final = "closing_objective_"
BLOCK_CLOSING_KEY_RESULT: Final = "closing_kr_"
