"""``views.*``: modal stacks and Home tabs, trigger ids, and the modal lifecycle.

The lifecycle methods (:meth:`ViewMethods.apply_view_response`, :meth:`ViewMethods.close_view`,
:meth:`ViewMethods.set_view_state`) are what the driver calls when it plays the user.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.tryout.standin.blockkit import pointer_messages, view_content_problems
from app.tryout.standin.core import StandInCore
from app.tryout.standin.records import ApiError, StandInError, fill_ids, random_id

# Slack lets a trigger_id be exchanged once, within three seconds of the interaction.
TRIGGER_TTL_SECONDS = 3.0
# After views.open, an app may push two more views: three in a stack at most.
VIEW_STACK_MAX = 3


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


class ViewMethods(StandInCore):
    """Opening, pushing, updating and publishing views; what the user does with them."""

    _stacks: dict[str, list[dict[str, Any]]]
    _homes: dict[str, dict[str, Any]]
    _field_errors: dict[str, dict[str, str]]
    _triggers: dict[str, _Trigger]

    def view_stack(self, user_id: str) -> list[dict[str, Any]]:
        """The user's open modal views, bottom first (copies)."""
        with self._lock:
            return copy.deepcopy(self._stacks.get(user_id, []))

    def top_view(self, user_id: str) -> dict[str, Any] | None:
        """The modal view the user is looking at, or None."""
        with self._lock:
            stack = self._stacks.get(user_id)
            return copy.deepcopy(stack[-1]) if stack else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The user's published Home tab view, or None."""
        with self._lock:
            home = self._homes.get(user_id)
            return copy.deepcopy(home) if home else None

    def field_errors(self, view_id: str) -> dict[str, str]:
        """The ``response_action: errors`` shown on a view, block_id → message."""
        with self._lock:
            return dict(self._field_errors.get(view_id, {}))

    def issue_trigger_id(self, user_id: str) -> str:
        """A fresh trigger_id for ``user_id``, valid once within three seconds."""
        with self._lock:
            self._counter += 1
            trigger_id = f"{int(self._now())}.{self._counter}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(user_id=user_id, issued_at=self._now())
            return trigger_id

    # ------------------------------------------------------------------ Web API methods

    def _trigger_user(self, args: dict[str, Any]) -> str:
        """The user a still-valid, unused trigger_id was issued for."""
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self._now() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise ApiError("expired_trigger_id")
        return trigger.user_id

    def _mark_trigger_used(self, args: dict[str, Any]) -> None:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        self._triggers[str(trigger_id)].used = True

    def _check_view(self, view: Any, *, kind: str, replacing: str | None = None) -> dict[str, Any]:
        """Validate a view argument as Slack does; ``replacing`` is the id being updated."""
        if not isinstance(view, dict):
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view"]},
            )
        problems = view_content_problems(view)
        if problems:
            # Slack's answer to a view it can't accept, whatever part of it is wrong.
            messages = pointer_messages(problems, "/view")
            raise ApiError("invalid_arguments", response_metadata={"messages": messages})
        if view.get("type") != kind:
            raise ApiError(
                "invalid_arguments",
                response_metadata={
                    "messages": [f"[ERROR] must be {kind} [json-pointer:/view/type]"]
                },
            )
        external_id = view.get("external_id")
        if external_id:
            found = self._find_view(external_id=external_id)
            if found is not None and self._view_at(found)["id"] != replacing:
                raise ApiError("duplicate_external_id")
        return view

    def _hash(self) -> str:
        return f"{int(self._now())}.{secrets.token_urlsafe(6)}"

    def _materialize(
        self,
        view: Mapping[str, Any],
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
        state: Mapping[str, Any] | None = None,
        external_id: str | None = None,
    ) -> dict[str, Any]:
        """The view object as Slack returns and stores it."""
        view_id = view_id or random_id("V")
        blocks = fill_ids(copy.deepcopy(list(view.get("blocks") or []))) or []
        values = _preserved_values(state or {}, blocks)
        out: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": blocks,
            "private_metadata": view.get("private_metadata") or "",
            "callback_id": view.get("callback_id") or "",
            "state": {"values": values},
            "hash": self._hash(),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id") or external_id or "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return out

    def _find_view(
        self, *, view_id: str | None = None, external_id: str | None = None
    ) -> tuple[str, str, int] | None:
        """Locate a view: (``"stack"`` or ``"home"``, user_id, index in the stack)."""
        for user_id, stack in self._stacks.items():
            for i, view in enumerate(stack):
                if (view_id and view["id"] == view_id) or (
                    external_id and view["external_id"] == external_id
                ):
                    return "stack", user_id, i
        for user_id, view in self._homes.items():
            if (view_id and view["id"] == view_id) or (
                external_id and view["external_id"] == external_id
            ):
                return "home", user_id, 0
        return None

    def _view_at(self, found: tuple[str, str, int]) -> dict[str, Any]:
        where, user_id, index = found
        return self._stacks[user_id][index] if where == "stack" else self._homes[user_id]

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._trigger_user(args)
        view = self._check_view(args.get("view"), kind="modal")
        self._mark_trigger_used(args)
        for old in self._stacks.get(user_id, []):
            self._field_errors.pop(old["id"], None)
        stored = self._materialize(view)
        self._stacks[user_id] = [stored]
        return {"view": copy.deepcopy(stored)}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._trigger_user(args)
        view = self._check_view(args.get("view"), kind="modal")
        stack = self._stacks.get(user_id)
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= VIEW_STACK_MAX:
            raise ApiError("push_limit_reached")
        self._mark_trigger_used(args)
        stored = self._materialize(
            view, root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"]
        )
        stack.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] view_id or external_id is required"]},
            )
        found = self._find_view(view_id=view_id, external_id=external_id)
        if found is None:
            raise ApiError("not_found")
        where, user_id, index = found
        current = self._view_at(found)
        given_hash = args.get("hash")
        if given_hash and given_hash != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._check_view(args.get("view"), kind=current["type"], replacing=current["id"])
        updated = self._replace_view(current, view)
        if where == "stack":
            self._stacks[user_id][index] = updated
        else:
            self._homes[user_id] = updated
        return {"view": copy.deepcopy(updated)}

    def _replace_view(self, current: Mapping[str, Any], view: Mapping[str, Any]) -> dict[str, Any]:
        """``view`` in place of ``current``: same id, new hash, user entries kept."""
        self._field_errors.pop(current["id"], None)
        return self._materialize(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
            state=current["state"]["values"],
            external_id=current["external_id"],
        )

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id"))
        if user_id not in self.users:
            raise ApiError("user_not_found")
        current = self._homes.get(user_id)
        given_hash = args.get("hash")
        if given_hash and current is not None and given_hash != current["hash"]:
            raise ApiError("hash_conflict")
        replacing = current["id"] if current is not None else None
        view = self._check_view(args.get("view"), kind="home", replacing=replacing)
        stored = self._materialize(view) if current is None else self._replace_view(current, view)
        self._homes[user_id] = stored
        return {"view": copy.deepcopy(stored)}

    # ------------------------------------------------------------------ modal lifecycle

    def set_view_state(self, view_id: str, values: Mapping[str, Any]) -> None:
        """Store what the user has entered in a view (``state.values``)."""
        with self._lock:
            found = self._find_view(view_id=view_id)
            if found is None:
                raise KeyError(view_id)
            where, user_id, index = found
            view = self._stacks[user_id][index] if where == "stack" else self._homes[user_id]
            view["state"] = {"values": copy.deepcopy(dict(values))}

    def apply_view_response(
        self, user_id: str, view_id: str, response: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """Apply the app's answer to a view_submission; return the user's top view after it.

        ``None``/empty/no ``response_action`` closes the submitted view (and any above it);
        ``errors`` keeps it and records the field errors; ``update`` replaces it in place
        (same view id, new hash, user entries kept for unchanged block/action ids);
        ``push`` pushes a new view; ``clear`` closes the whole modal.
        """
        with self._lock:
            stack = self._stacks.get(user_id, [])
            index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
            if index is None:
                raise KeyError(f"view {view_id} is not open for {user_id}")
            action = (response or {}).get("response_action")
            if not action:
                self._close_from(user_id, index)
            elif action == "errors":
                errors = (response or {}).get("errors")
                if not isinstance(errors, Mapping) or not errors:
                    raise StandInError("response_action errors needs a non-empty errors object")
                inputs = {
                    b.get("block_id") for b in stack[index]["blocks"] if b.get("type") == "input"
                }
                unknown = sorted(str(k) for k in errors if k not in inputs)
                if unknown:
                    # Such errors would be shown nowhere: in Slack the user sees a generic failure.
                    raise StandInError(f"errors name blocks that are not input blocks: {unknown}")
                self._field_errors[view_id] = {str(k): str(v) for k, v in errors.items()}
            elif action == "update":
                view = self._response_view(response)
                stack[index] = self._replace_view(stack[index], view)
            elif action == "push":
                view = self._response_view(response)
                if len(stack) >= VIEW_STACK_MAX:
                    raise StandInError("push_limit_reached: a modal holds at most 3 views")
                stack.append(
                    self._materialize(
                        view, root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"]
                    )
                )
            elif action == "clear":
                self._close_from(user_id, 0)
            else:
                raise StandInError(f"unknown response_action {action!r}")
            return self.top_view(user_id)

    def _response_view(self, response: Mapping[str, Any] | None) -> dict[str, Any]:
        view = (response or {}).get("view")
        if not isinstance(view, dict):
            raise StandInError("this response_action needs a view")
        problems = view_content_problems(view)
        if problems:
            raise StandInError("invalid view: " + "; ".join(pointer_messages(problems)))
        if view.get("type") != "modal":
            raise StandInError("response_action views must be modals")
        return view

    def _close_from(self, user_id: str, index: int) -> None:
        stack = self._stacks.get(user_id, [])
        for view in stack[index:]:
            self._field_errors.pop(view["id"], None)
        del stack[index:]
        if not stack:
            self._stacks.pop(user_id, None)

    def close_view(self, user_id: str, view_id: str) -> None:
        """The user pressed Close: pop that view (and any above); clear_on_close closes all."""
        with self._lock:
            stack = self._stacks.get(user_id, [])
            index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
            if index is None:
                return
            self._close_from(user_id, 0 if stack[index]["clear_on_close"] else index)


def _preserved_values(values: Mapping[str, Any], blocks: list[Any]) -> dict[str, Any]:
    """Keep the user's entries for inputs whose block_id and action_id are unchanged.

    This is Slack's documented behaviour on views.update: matching inputs keep what the
    user typed, and their new initial values are ignored.
    """
    kept: dict[str, Any] = {}
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        entry = (values.get(str(block.get("block_id"))) or {}).get(element.get("action_id"))
        if entry is not None and entry.get("type") == element.get("type"):
            kept[block["block_id"]] = {element["action_id"]: copy.deepcopy(entry)}
    return kept
