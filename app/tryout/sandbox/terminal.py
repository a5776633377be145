"""The sandbox's terminal: you type as a chosen user, the real app answers, and what Slack
would show you is rendered as text.

Lines come from a `LineSource`: the keyboard (with readline's editing, history and tab
completion when it is a terminal) or a script. Both go through the same code, so a script
is exactly what a person would type, answers to modal fields included.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from app.slack.listeners.support import USAGES
from app.tryout.sandbox.clock import describe, parse_when, short, span
from app.tryout.sandbox.forms import (
    Field,
    Option,
    current_answers,
    empty_answer,
    fields_of,
    option_lines,
    parse_answer,
)
from app.tryout.sandbox.inbox import Inbox, Item
from app.tryout.sandbox.seed import ALICE, CHANNEL_ID, CHANNEL_NAME, PEOPLE, TEAM_NAME
from app.tryout.sandbox.world import SandboxWorld
from app.tryout.standin.driver import build_state
from app.tryout.standin.render import Rendering, render_message, render_view

WIDTH = 80
META_COMMANDS = (
    ":as",
    ":home",
    ":advance",
    ":dm",
    ":channel",
    ":click",
    ":now",
    ":reset",
    ":log",
    ":help",
    ":quit",
)
_WHEN_WORDS = ("friday", "monday", "tomorrow", "10:00", "16:00", "1w", "3d", "2h")
_CLICK = re.compile(r"^(\d+)(?:\s+(.*))?$")

HELP = """\
Type as you would in Slack:
  /okr help              the bot's own commands: /okr new, list, checkin, …
  3   or   :click 3      click button [3] of the latest message or view
  :click 2 edit          pick "Edit" in the menu shown as [2]
The sandbox's own commands:
  :as bob                act as someone else (alice, bob, carol)
  :home                  open your App Home tab
  :advance friday 10:00  move the clock on, delivering what falls due on the
                         way: prompts, reminders, digests (also: 1w, 3d, 2h,
                         16:00, tomorrow 9:00)
  :dm                    your direct messages from the bot
  :channel [#growth]     read a channel
  :now                   the sandbox's date and time
  :reset                 start again: a fresh database, seeded again
  :log                   the app's warnings and errors, in full
  :quit                  leave (Ctrl-D works too)
In a modal you answer field by field: Enter keeps a value, :clear empties it,
:submit sends the form at once, :cancel closes it."""

FILL_HINT = "  (Enter keeps it · :clear empties it · :submit sends now · :cancel closes)"


class Quit(Exception):
    """The person asked to leave (or the input ended)."""


class _Cancel(Exception):
    """The person closed the modal."""


# Given the line typed so far, the words that may complete its last word.
Completer = Callable[[str], list[str]]


class LineSource(Protocol):
    """Where typed lines come from."""

    interactive: bool

    def read(
        self, prompt: str, *, remember: bool = True, complete: Completer | None = None
    ) -> str | None:
        """The next line without its newline, or None at the end of input."""
        ...


class ScriptSource:
    """Lines from a script file (or piped input); the shell echoes them into the transcript."""

    interactive = False

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines: Iterator[str] = iter(lines)

    def read(
        self, prompt: str, *, remember: bool = True, complete: Completer | None = None
    ) -> str | None:
        """The script's next line, or None after the last."""
        line = next(self._lines, None)
        return None if line is None else line.rstrip("\r\n")


class TerminalSource:
    """Lines typed at a terminal, with readline's editing, history and completion."""

    interactive = True

    def __init__(self) -> None:
        self._complete: Completer | None = None
        self._matches: list[str] = []
        try:
            import readline
        except ImportError:  # some Python builds lack it; plain input() still works
            self._readline: Any = None
            return
        self._readline = readline
        # Words are split on spaces only, so "/okr", ":as" and "#growth" complete whole.
        readline.set_completer_delims(" ")
        readline.set_completer(self._completer)
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")

    def _completer(self, text: str, state: int) -> str | None:
        if state == 0:
            buffer = self._readline.get_line_buffer()[: self._readline.get_endidx()]
            found = self._complete(buffer) if self._complete else []
            self._matches = [word for word in found if word.startswith(text)]
        return self._matches[state] if state < len(self._matches) else None

    def read(
        self, prompt: str, *, remember: bool = True, complete: Completer | None = None
    ) -> str | None:
        """A line from the keyboard, or None at Ctrl-D."""
        self._complete = complete
        before = self._readline.get_current_history_length() if self._readline else 0
        try:
            line = input(prompt)
        except EOFError:
            return None
        # Field answers would only clutter the history of commands.
        if not remember and self._readline and self._readline.get_current_history_length() > before:
            self._readline.remove_history_item(before)
        return line


class AppLog(logging.Handler):
    """Keeps the app's warnings and errors for the terminal instead of spilling tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records: list[str] = []
        self.fresh: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record in full, and its first line for a one-line notice."""
        try:
            self.records.append(self.format(record))
            self.fresh.append(f"{record.levelname} {record.getMessage()}".splitlines()[0])
        except Exception:
            self.handleError(record)


@dataclass
class _Target:
    """The latest rendering with buttons: what a typed number clicks."""

    buttons: list[dict[str, Any]]
    item: Item | None = None
    view_id: str | None = None
    where: str = "modal"  # or "home"


@dataclass
class _Modal:
    view: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    fill: str = "all"  # "all" fields, only those with "errors", or "none"


class SandboxShell:
    """Reads lines, acts them out through the stand-in, and shows what Slack would show."""

    def __init__(
        self,
        world: SandboxWorld,
        source: LineSource,
        out: TextIO,
        *,
        log: AppLog | None = None,
        width: int = WIDTH,
    ) -> None:
        self.world = world
        self.source = source
        self.out = out
        self.log = log
        self.width = width
        self.user = ALICE.user_id
        self.inbox = Inbox(world.standin)
        self.target: _Target | None = None
        self.modal_key: tuple[str, str] | None = None
        self.rejected = 0

    # ------------------------------------------------------------------ output

    def say(self, text: str = "") -> None:
        """Write a line (or several) to the terminal."""
        print(text, file=self.out, flush=True)

    def rule(self, title: str) -> str:
        """`── title ─────…` across the width."""
        head = f"── {title} "
        return head + "─" * max(0, self.width - len(head))

    def reject(self, hint: str) -> None:
        """One line saying what the sandbox expected instead."""
        self.rejected += 1
        self.say(textwrap.fill(hint, self.width, initial_indent="  ? ", subsequent_indent="    "))

    @property
    def users(self) -> dict[str, str]:
        """User id → name, for rendering mentions."""
        return {uid: u["name"] for uid, u in self.world.standin.users.items()}

    @property
    def channels(self) -> dict[str, str]:
        """Channel id → name."""
        return {cid: c["name"] for cid, c in self.world.standin.channels.items()}

    @property
    def name(self) -> str:
        """The current user's name."""
        return self.users.get(self.user, self.user)

    # ------------------------------------------------------------------ input

    def _read(
        self,
        prompt: str,
        *,
        remember: bool = True,
        complete: Completer | None = None,
        command: bool = False,
    ) -> str | None:
        line = self.source.read(prompt, remember=remember, complete=complete)
        if line is not None and not self.source.interactive:
            # A transcript shows each line after its prompt, as the person saw it typed.
            stripped = line.strip()
            if command and stripped.startswith("#"):
                self.say(line)
            elif not (command and not stripped):
                self.say(prompt + line)
        return line

    def _complete_command(self, buffer: str) -> list[str]:
        words = buffer.split(" ")
        if len(words) <= 1:
            return ["/okr", *META_COMMANDS]
        head = words[0].lower()
        if head == "/okr" and len(words) == 2:
            return list(USAGES)
        if head == ":as" and len(words) == 2:
            return [p.name for p in PEOPLE]
        if head == ":channel" and len(words) == 2:
            return ["#" + name for name in self.channels.values()]
        if head == ":advance":
            return list(_WHEN_WORDS)
        return []

    def _complete_field(self, item: Field) -> Completer:
        def complete(buffer: str) -> list[str]:
            if item.options:
                return [o.label for o in item.options]
            if "users" in item.kind:
                return list(self.users.values())
            if "conversations" in item.kind or "channels" in item.kind:
                return ["#" + name for name in self.channels.values()]
            return []

        return complete

    # ------------------------------------------------------------------ the loop

    def run(self) -> int:
        """Read and act until `:quit` or the end of input; returns the exit status."""
        self.banner()
        self.show_new()
        while True:
            try:
                line = self._read(f"{self.name}> ", complete=self._complete_command, command=True)
            except KeyboardInterrupt:
                self.say("\n  (:quit leaves the sandbox)")
                continue
            if line is None:
                if self.source.interactive:
                    self.say()
                break
            try:
                if not self.handle(line):
                    break
            except Quit:
                break
            except KeyboardInterrupt:
                self.say("\n  (interrupted)")
                if self.world.standin.top_view(self.user) is not None:
                    self._close_modal()
            except Exception as failure:  # one line, never a traceback
                logging.getLogger("okrbot.sandbox").debug("Failed to act", exc_info=True)
                self.say(f"  ! {type(failure).__name__}: {failure}".splitlines()[0])
                self.rejected += 1
        if not self.source.interactive and self.rejected:
            lines = "line" if self.rejected == 1 else "lines"
            self.say(f"(the script had {self.rejected} {lines} the sandbox did not accept)")
            return 1
        return 0

    def banner(self) -> None:
        """Where everything runs, who is there, and what time it is."""
        world = self.world
        self.say("okrbot sandbox: the real app and a local Slack stand-in, on loopback.")
        self.say("No Slack workspace, no tokens, no network.")
        self.say(f"  app       {world.app_url} (signed requests)")
        self.say(f"  database  {world.database_url}")
        if not world.given_database_url:
            self.say("            (temporary; --database-url keeps the data)")
        self.say(f"  team      {TEAM_NAME} · #{CHANNEL_NAME} · {world.timezone}")
        people = ", ".join(f"@{p.name}" + (" (team admin)" if p.admin else "") for p in PEOPLE)
        self.say(f"  people    {people}")
        if world.kept_data:
            self.say("  data      kept from the last run")
        elif world.seeded_weeks:
            weeks = len(world.seeded_weeks)
            self.say(f"  history   check-ins for {weeks} past week{'s' if weeks != 1 else ''}")
        self.say(f"  clock     {describe(world.clock(), world.timezone)}")
        self.say("Type /okr help for the bot, :help for the sandbox; :advance friday 10:00")
        self.say("brings the weekly check-in.")

    def handle(self, line: str) -> bool:
        """Act on one command line; False means leave."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        if text.isdigit():
            self.click_and_settle(int(text), None)
        elif text.startswith("/"):
            self.slash(text)
        elif text.startswith(":"):
            return self.meta(text)
        else:
            self.reject("type /okr … as in Slack, a button's number, or :help")
        return True

    # ------------------------------------------------------------------ Slack surfaces

    def slash(self, text: str) -> None:
        """Send a slash command from the team channel, as the current user."""
        command, _, rest = text.partition(" ")
        if command.lower() != "/okr":
            self.reject(f"only /okr is installed in this workspace, not {command}")
            return
        response = self.world.slack.slash_command(
            user_id=self.user, text=rest.strip(), channel_id=CHANNEL_ID, channel_name=CHANNEL_NAME
        )
        self.check_http(response.status)
        self.settle()

    def check_http(self, status: int) -> None:
        """Say so when the app did not answer 200 (Slack would show a failure)."""
        if status not in (0, 200):
            self.say(f"  ! the app answered HTTP {status}; Slack would show an error")

    def settle(self) -> None:
        """After an action: show what arrived, then any modal that opened or changed."""
        self.show_new()
        view = self.world.standin.top_view(self.user)
        if view is not None and (view["id"], view["hash"]) != self.modal_key:
            self.modal(view)

    def show_new(self) -> int:
        """Render the current user's new and changed messages; returns how many."""
        items = self.inbox.unseen(self.user)
        for item in items:
            self.show_item(item)
        self.report_log()
        return len(items)

    def show_item(self, item: Item) -> None:
        """One message with a header saying where it is and when it came."""
        when = short(item.at, self.world.timezone)
        changed = " (updated)" if item.updated else ""
        if item.kind == "ephemeral":
            title = f"okrbot · only visible to you{changed}"
        elif item.kind == "dm":
            title = f"okrbot · direct message{changed} · {when}"
        else:
            channel = self.channels.get(item.channel, item.channel)
            title = f"#{channel} · okrbot{changed} · {when}"
        if item.record.get("thread_ts"):
            title = title.replace(" · okrbot", " · okrbot in a thread", 1)
        self.say(self.rule(title))
        rendering = render_message(
            item.record, users=self.users, channels=self.channels, width=self.width
        )
        if rendering.text.strip():
            self.say(rendering.text)
        for shared in item.record.get("files") or []:
            # Files show as a placeholder line with their name, as images do in blocks.
            name = shared.get("name") or shared.get("title") or "file"
            kind = "image" if str(shared.get("mimetype", "")).startswith("image/") else "file"
            caption = shared.get("title")
            self.say(f"[{kind}: {name}]" + (f" {caption}" if caption and caption != name else ""))
        if rendering.buttons:
            self.target = _Target(buttons=rendering.buttons, item=item)

    def report_log(self) -> None:
        """One line per warning or error the app logged since the last look."""
        if self.log is None or not self.log.fresh:
            return
        for line in self.log.fresh:
            self.say(f"  ! app log: {_shorten(line, self.width - 33)} (:log shows it all)")
        self.log.fresh.clear()

    # ------------------------------------------------------------------ clicking

    def click_and_settle(self, number: int, option: str | None) -> None:
        """Click a numbered element of the latest rendering, then show what followed."""
        if self.click(number, option):
            self.settle()

    def click(self, number: int, option: str | None) -> bool:
        """Click element [number]; False when nothing was sent."""
        target = self.target
        if target is None or not target.buttons:
            self.reject("there is nothing to click yet; buttons show as [1], [2], …")
            return False
        if not 1 <= number <= len(target.buttons):
            self.reject(
                f"no [{number}] here; the latest buttons are [1] to [{len(target.buttons)}]"
            )
            return False
        button = target.buttons[number - 1]
        if button.get("url"):
            self.say(f"  (a link to {button['url']}; the sandbox stays here)")
            return False
        selected = None
        if button.get("options"):
            selected = self.choose(button, option)
            if selected is None:
                return False
        slack = self.world.slack
        if target.item is not None:
            item = self.inbox.find(self.user, target.item.key)
            if item is None or not _still_there(item.record, button):
                self.reject("that message has changed; its buttons are gone")
                return False
            response = slack.click(
                user_id=self.user,
                action_id=button["action_id"],
                block_id=button["block_id"],
                message=item.record,
                channel_id=item.channel,
                selected_option_value=selected,
            )
        else:
            standin = self.world.standin
            if target.where == "modal":
                view = standin.top_view(self.user)
            else:
                view = standin.home_view(self.user)
            if view is None or view["id"] != target.view_id:
                self.reject("that view is gone")
                return False
            response = slack.click(
                user_id=self.user,
                action_id=button["action_id"],
                block_id=button["block_id"],
                view=view,
                selected_option_value=selected,
            )
        self.check_http(response.status)
        return True

    def choose(self, button: dict[str, Any], given: str | None) -> str | None:
        """The option value for a menu or select: from the command line, else asked for."""
        menu = Field(
            block_id=str(button.get("block_id")),
            kind="static_select",
            label=str(button.get("label")),
            optional=False,
            options=tuple(Option(o["text"], o["value"]) for o in button["options"]),
        )
        answer = given
        while True:
            if answer is None:
                for line in option_lines(menu, self.width):
                    self.say(line)
                answer = self._read(
                    "  choose: ", remember=False, complete=self._complete_field(menu)
                )
                if answer is None or answer.strip() == ":quit":
                    raise Quit
                if answer.strip() in ("", ":cancel"):
                    self.say("  (nothing chosen)")
                    return None
            value, problem = parse_answer(menu, answer, self.users, self.channels)
            if problem is None:
                return str(value)
            self.reject(problem)
            answer = None

    # ------------------------------------------------------------------ modals

    def modal(self, view: dict[str, Any]) -> None:
        """Show a modal and fill it in with the person until it closes."""
        state = _Modal(view)
        hinted = False
        standin, slack = self.world.standin, self.world.slack
        while True:
            view = state.view
            self.modal_key = (view["id"], view["hash"])
            rendering = render_view(
                view,
                errors=state.errors,
                users=self.users,
                channels=self.channels,
                width=self.width,
            )
            self.say(rendering.text)
            self.target = _Target(buttons=rendering.buttons, view_id=view["id"])
            fields = fields_of(view)
            submit = (view.get("submit") or {}).get("text")
            if not fields and not submit and not rendering.buttons:
                # Nothing to fill or click: press its only button, as a person would.
                close = (view.get("close") or {}).get("text") or "Close"
                self._close_modal(f"  (you click {close}; the modal closes)")
                return
            todo = [
                f
                for f in fields
                if state.fill == "all" or (state.fill == "errors" and f.block_id in state.errors)
            ]
            if todo and not hinted:
                self.say(FILL_HINT)
                hinted = True
            try:
                action = self._modal_action(view, todo, submit, rendering, bool(fields))
            except _Cancel:
                action = "cancel"
            if action == "cancel" or action == "close":
                self._close_modal()
                return
            if action == "edit":
                state = _Modal(standin.top_view(self.user) or view)
                continue
            client_errors: dict[str, str] = {}
            if isinstance(action, int):
                if not self.click(action, None):
                    state = _Modal(view, state.errors, fill="none")
                    continue
            else:
                response = slack.submit_view(user_id=self.user)
                client_errors = response.client_errors
                self.check_http(response.status)
            after = standin.top_view(self.user)
            if after is None:
                self.modal_key = None
                self.say("  (the modal closed)")
                self.show_new()
                return
            self.show_new()
            state = self._after_submit(view, after, client_errors)

    def _modal_action(
        self,
        view: dict[str, Any],
        todo: list[Field],
        submit: str | None,
        rendering: Rendering,
        has_fields: bool,
    ) -> str | int:
        """Fill the fields still to do, then ask what to do with the modal."""
        if todo and self.fill(view, todo):
            return "submit"
        return self.ask(submit, rendering, has_fields)

    def _after_submit(
        self, view: dict[str, Any], after: dict[str, Any], client_errors: dict[str, str]
    ) -> _Modal:
        """The modal to deal with next, once the app answered a submission or a click."""
        if client_errors:
            return _Modal(after, client_errors, fill="errors")
        errors = self.world.standin.field_errors(after["id"])
        if (after["id"], after["hash"]) == (view["id"], view["hash"]):
            return _Modal(after, errors, fill="errors" if errors else "none")
        return _Modal(after, errors)

    def _close_modal(self, note: str = "  (the modal closed)") -> None:
        if self.world.standin.top_view(self.user) is not None:
            self.world.slack.close_view(user_id=self.user)
        self.modal_key = None
        self.say(note)
        self.show_new()
        # Closing a pushed view reveals the one below it, which is still to be dealt with.
        below = self.world.standin.top_view(self.user)
        if below is not None:
            self.modal(below)

    def fill(self, view: dict[str, Any], todo: list[Field]) -> bool:
        """Ask for each field in turn and keep the answers in the modal, as Slack's client
        keeps what you type; True when the person asked to submit at once."""
        users, channels = self.users, self.channels
        current = current_answers(view, users, channels)
        answers: dict[str, Any] = {}
        submit_now = False
        for item in todo:
            if self._fill_field(item, current, answers, users, channels):
                submit_now = True
                break
        if answers:
            self.world.standin.set_view_state(view["id"], build_state(view, answers))
        return submit_now

    def _fill_field(
        self,
        item: Field,
        current: dict[str, str],
        answers: dict[str, Any],
        users: dict[str, str],
        channels: dict[str, str],
    ) -> bool:
        """Ask for one field until it is answered, kept or cleared; True on `:submit`."""
        while True:
            for choice in option_lines(item, self.width):
                self.say(choice)
            shown = _shorten(current.get(item.block_id, ""), 36)
            prompt = f"  {item.prompt_label}" + (f" [{shown}]" if shown else "") + ": "
            line = self._field_line(prompt, item)
            word = line.strip()
            if word == ":submit":
                return True
            if not word:
                return False
            if word == ":clear":
                answers[item.block_id] = empty_answer(item)
                return False
            if word.split(" ")[0] in META_COMMANDS:
                self.reject("a modal is open: answer the field, or :cancel to close it")
                continue
            value, problem = parse_answer(item, line, users, channels)
            if problem is None:
                answers[item.block_id] = value
                return False
            self.reject(problem)

    def _field_line(self, prompt: str, item: Field) -> str:
        """The line typed for a field; raises _Cancel or Quit when the person leaves."""
        try:
            line = self._read(prompt, remember=False, complete=self._complete_field(item))
        except KeyboardInterrupt:
            self.say()  # the cursor is still on the prompt's line
            raise _Cancel from None
        if line is None:
            raise Quit
        word = line.strip()
        if word == ":cancel":
            raise _Cancel
        if word == ":quit":
            raise Quit
        return line

    def ask(self, submit: str | None, rendering: Rendering, has_fields: bool) -> str | int:
        """What to do with the filled modal: submit, edit, cancel, close or click [n]."""
        choices = ["Enter submits" if submit else "Enter closes it"]
        if has_fields:
            choices.append(":edit")
        if submit:
            choices.append(":cancel")
        if rendering.buttons:
            choices.append("a number clicks")
        prompt = f"  {submit + '? ' if submit else ''}({' · '.join(choices)}): "
        while True:
            try:
                line = self._read(prompt, remember=False)
            except KeyboardInterrupt:
                return "cancel"
            if line is None:
                raise Quit
            word = line.strip().lower()
            if word in ("", ":submit", "y", "yes"):
                return "submit" if submit else "close"
            if word == ":cancel":
                return "cancel"
            if word == ":quit":
                raise Quit
            if word == ":edit" and has_fields:
                return "edit"
            click = _CLICK.match(word.removeprefix(":click").strip())
            if click and rendering.buttons:
                return int(click.group(1))
            self.reject(f"press Enter, or type {', '.join(choices[1:]) or ':cancel'}")

    # ------------------------------------------------------------------ meta-commands

    def meta(self, text: str) -> bool:
        """Act on a `:command`; False means leave."""
        word, _, rest = text.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in (":quit", ":q", ":exit"):
            return False
        actions: dict[str, Callable[[str], None]] = {
            ":help": lambda _: self.say(HELP),
            ":as": self.switch,
            ":home": lambda _: self.home(),
            ":advance": self.advance,
            ":adv": self.advance,
            ":dm": lambda _: self.history(self.world.standin.dm_channel(self.user), "dm"),
            ":channel": self.channel,
            ":click": self.click_command,
            ":now": lambda _: self.say(f"  {describe(self.world.clock(), self.world.timezone)}"),
            ":reset": lambda _: self.reset(),
            ":log": lambda _: self.show_log(),
        }
        action = actions.get(word)
        if action is None:
            self.reject(f"unknown command {word}; :help lists the sandbox's commands")
        else:
            action(rest)
        return True

    def switch(self, name: str) -> None:
        """`:as bob`: act as someone else, and see what they have not seen yet."""
        wanted = name.lstrip("@").strip().casefold()
        found = [uid for uid, n in self.users.items() if n.casefold() == wanted]
        if not found:
            names = ", ".join(p.name for p in PEOPLE)
            self.reject(f"who? try one of: {names}" if wanted else f"say who: {names}")
            return
        self.user = found[0]
        self.target = None
        real = self.world.standin.users[self.user]["real_name"]
        self.say(f"  You are @{self.name} ({real}) now.")
        self.settle()

    def home(self) -> None:
        """`:home`: open the App Home tab, as clicking the app in Slack's sidebar does."""
        standin = self.world.standin
        response = self.world.slack.send_event(
            {
                "type": "app_home_opened",
                "user": self.user,
                "channel": standin.dm_channel(self.user),
                "tab": "home",
            }
        )
        self.check_http(response.status)
        view = standin.home_view(self.user)
        if view is None:
            self.say("  (the app published no Home tab)")
            self.report_log()
            return
        rendering = render_view(view, users=self.users, channels=self.channels, width=self.width)
        self.say(rendering.text)
        self.target = _Target(buttons=rendering.buttons, view_id=view["id"], where="home")
        self.settle()

    def advance(self, when: str) -> None:
        """`:advance friday 10:00`: move the clock and deliver what falls due on the way."""
        clock, zone = self.world.clock, self.world.timezone
        before = clock()
        target = parse_when(when, before, zone)
        if isinstance(target, str):
            self.reject(target)
            return
        self.world.advance_to(target)
        self.say(f"  ⏩ {describe(target, zone)}, {span(target - before)}")
        if not self.show_new():
            self.say("  (nothing new for you)")
        others = []
        for person in PEOPLE:
            if person.user_id == self.user:
                continue
            count = sum(
                1 for i in self.inbox.unseen(person.user_id, mark=False) if i.kind != "channel"
            )
            if count:
                others.append(f"@{person.name} {count}")
        if others:
            self.say(f"  (new direct messages: {', '.join(others)}; :as switches)")

    def history(self, channel: str, kind: str) -> None:
        """Show a conversation's last messages and count them as seen."""
        items = [
            i for i in self.inbox.visible(self.user) if i.channel == channel and i.kind == kind
        ][-10:]
        if not items:
            self.say("  (no messages yet)")
            return
        for item in items:
            self.show_item(item)
        self.inbox.mark_seen(self.user, items)

    def channel(self, name: str) -> None:
        """`:channel [#name]`: read a channel (the team's channel by default)."""
        wanted = (name.lstrip("#").strip() or CHANNEL_NAME).casefold()
        found = [cid for cid, n in self.channels.items() if n.casefold() == wanted]
        if not found:
            known = ", ".join("#" + n for n in self.channels.values() if not n.startswith("mpdm"))
            self.reject(f"no channel #{wanted}; there are {known}")
            return
        self.history(found[0], "channel")

    def click_command(self, rest: str) -> None:
        """`:click 3`, `:click 2 edit` (an option of a menu), or `:click Update` (a label)."""
        match = _CLICK.match(rest)
        if match:
            self.click_and_settle(int(match.group(1)), match.group(2))
            return
        buttons = self.target.buttons if self.target else []
        wanted = rest.casefold()
        hits = [b["n"] for b in buttons if wanted and str(b["label"]).casefold().startswith(wanted)]
        if len(hits) == 1:
            self.click_and_settle(int(hits[0]), None)
        else:
            self.reject("say which: :click 3, or the start of a button's label")

    def reset(self) -> None:
        """`:reset`: a fresh database and stand-in, seeded again, the clock back at start."""
        self.world.reset()
        self.inbox = Inbox(self.world.standin)
        self.user, self.target, self.modal_key = ALICE.user_id, None, None
        self.say("  Started again: a fresh database, seeded; you are @alice.")
        self.say(f"  clock     {describe(self.world.clock(), self.world.timezone)}")
        self.show_new()

    def show_log(self) -> None:
        """`:log`: the app's warnings and errors so far, tracebacks included."""
        records = self.log.records if self.log else []
        if not records:
            self.say("  (the app logged no warnings or errors)")
            return
        for record in records[-10:]:
            self.say(record)


def _still_there(record: dict[str, Any], button: dict[str, Any]) -> bool:
    """True while the message still has the element that was rendered as `button`."""
    rendering = render_message(record)
    return any(
        b["action_id"] == button["action_id"] and b["block_id"] == button["block_id"]
        for b in rendering.buttons
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
