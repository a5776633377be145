"""``files.*``: Slack's external upload flow, in its three steps.

1. ``files.getUploadURLExternal`` reserves a file id and hands out an upload URL;
2. the bytes are POSTed to that URL (answered in plain text, as Slack's file server does);
3. ``files.completeUploadExternal`` finishes the upload and shares it to conversations.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import quote

from app.slack.limits import message_problems
from app.tryout.standin.core import StandInCore
from app.tryout.standin.records import (
    ApiError,
    Reply,
    fill_ids,
    invalid_argument,
    invalid_arguments,
    random_id,
)

# files.getUploadURLExternal refuses image descriptions longer than this.
ALT_TXT_MAX = 1000
# Upload URLs handed out by files.getUploadURLExternal point back at the stand-in, under this
# path, as Slack's point at files.slack.com/upload/v1/.
UPLOAD_PATH = "/upload/v1/"
# files.completeUploadExternal takes encoded conversation ids only (no user ids, no names).
_CHANNEL_ID_PATTERN = "^[CGDZ][A-Z0-9]{8,}$"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class _Upload:
    """One file on its way through getUploadURLExternal, the upload URL and completion."""

    file_id: str
    filename: str
    length: int
    token: str
    created: float
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None
    title: str | None = None
    channels: list[str] = field(default_factory=list)
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False
    # channel id → ts of the file-share message posted there on completion.
    shares: dict[str, str] = field(default_factory=dict)


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk, or None for anything else."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _upload_payload(headers: Mapping[str, str], raw: bytes) -> bytes | None:
    """The file bytes of an upload-URL POST: the raw body, or the file part of a multipart form.

    slack_sdk posts the raw bytes; Slack also accepts ``multipart/form-data`` (curl -F), so
    the stand-in does too. None means a multipart body without a file part.
    """
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if not content_type.lower().startswith("multipart/form-data"):
        return raw
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    form = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not form.is_multipart():
        return None
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None or name in ("file", "filename"):
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


class FileMethods(StandInCore):
    """Uploads: the two Web API methods and the upload URL between them."""

    _uploads: dict[str, _Upload]

    def uploads(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files uploaded through the external-upload flow (copies), oldest first.

        Each entry has ``file_id``, ``filename``, ``title``, ``bytes`` (the content received
        at the upload URL, None until it arrives), ``length`` (as declared), ``channel`` (the
        first conversation it was shared to, or None), ``channels``, ``ts`` (the file-share
        message in ``channel``), ``thread_ts``, ``initial_comment``, ``alt_txt``,
        ``snippet_type`` and ``completed``. With ``channel``, only uploads shared there.
        """
        with self._lock:
            found = [u for u in self._uploads.values() if channel is None or channel in u.channels]
            return [
                {
                    "file_id": u.file_id,
                    "filename": u.filename,
                    "title": u.title,
                    "bytes": u.data,
                    "length": u.length,
                    "channel": u.channels[0] if u.channels else None,
                    "channels": list(u.channels),
                    "ts": u.shares.get(channel or (u.channels[0] if u.channels else "")),
                    "thread_ts": u.thread_ts,
                    "initial_comment": u.initial_comment,
                    "alt_txt": u.alt_txt,
                    "snippet_type": u.snippet_type,
                    "completed": u.completed,
                }
                for u in found
            ]

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 1 of an upload: reserve a file id and hand out the URL to POST the bytes to."""
        filename = args.get("filename")
        if not isinstance(filename, str) or not filename.strip():
            raise invalid_argument("missing required field: filename")
        raw_length = args.get("length")
        if raw_length is None or raw_length == "":
            raise invalid_argument("missing required field: length")
        try:
            length = int(str(raw_length))
        except ValueError:
            raise invalid_argument("must be an integer [json-pointer:/length]") from None
        if length == 0:
            # Slack's documented answer to an empty file.
            raise ApiError("missing_argument")
        if length < 0:
            raise invalid_argument("must be at least 1 [json-pointer:/length]")
        alt_txt = args.get("alt_txt")
        if alt_txt is not None and len(str(alt_txt)) > ALT_TXT_MAX:
            raise ApiError("alt_txt_too_large")
        file_id = random_id("F")
        while file_id in self._uploads:
            file_id = random_id("F")
        upload = _Upload(
            file_id=file_id,
            filename=filename,
            length=length,
            token=secrets.token_urlsafe(18),
            created=self._now(),
            alt_txt=str(alt_txt) if alt_txt is not None else None,
            snippet_type=args.get("snippet_type") or None,
        )
        self._uploads[file_id] = upload
        return {"upload_url": f"{self.base_url}{UPLOAD_PATH}{upload.token}", "file_id": file_id}

    def _handle_upload(self, token: str, headers: Mapping[str, str], raw: bytes) -> Reply:
        """Step 2: the bytes POSTed to an upload URL (answered in plain text, as Slack does)."""
        with self._lock:
            args, reply = self._receive_upload(token, headers, raw)
        self._record("upload", args, reply)
        return reply

    def _receive_upload(
        self, token: str, headers: Mapping[str, str], raw: bytes
    ) -> tuple[dict[str, Any], Reply]:
        args: dict[str, Any] = {"received": len(raw)}
        # fail_next("upload", ...) makes the file server itself fail, which the app must survive.
        fault = self._take_fault("upload")
        if fault is not None:
            return args, fault
        upload = next((u for u in self._uploads.values() if u.token == token), None)
        if upload is None:
            return args, Reply(404, "not_found")
        args.update(file_id=upload.file_id, length=upload.length)
        if upload.completed:
            return args, Reply(400, "upload_already_completed")
        data = _upload_payload(headers, raw)
        if data is None:
            return args, Reply(400, "invalid_form_data")
        args["received"] = len(data)
        if len(data) != upload.length:
            # Slack's file server answers any failure with a non-200 status; the client then
            # never reaches files.completeUploadExternal.
            return args, Reply(
                400, f"length_mismatch: expected {upload.length} bytes, received {len(data)}"
            )
        upload.data = data
        return args, Reply(200, f"OK - {len(data)}")

    def _upload_entries(self, value: Any) -> list[dict[str, Any]]:
        """The ``files`` argument of completeUploadExternal: a JSON array of {id, title?}."""
        if isinstance(value, str):
            try:
                value = json.loads(value) if value else None
            except json.JSONDecodeError:
                raise invalid_argument("must be a JSON array [json-pointer:/files]") from None
        if value is None:
            raise invalid_argument("missing required field: files")
        if not isinstance(value, list) or not value:
            raise invalid_argument("must be a non-empty array [json-pointer:/files]")
        entries: list[dict[str, Any]] = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise invalid_argument(f"missing required field: id [json-pointer:/files/{i}/id]")
            if all(e["id"] != entry["id"] for e in entries):
                entries.append(entry)
        return entries

    def _share_targets(self, args: dict[str, Any]) -> list[str]:
        """The conversations a completed upload is shared to (``channel_id`` and ``channels``)."""
        targets: list[str] = []
        channel_id = args.get("channel_id")
        if channel_id:
            channel_id = str(channel_id)
            known = channel_id in self.channels or channel_id in self._dms.values()
            # Slack checks the id's shape before looking it up. Conversations registered
            # with the stand-in pass whatever their length (tests use short ids like C0PRIV).
            if not known and not re.match(_CHANNEL_ID_PATTERN, channel_id):
                raise invalid_argument(
                    f"input must match regex pattern: {_CHANNEL_ID_PATTERN} "
                    "[json-pointer:/channel_id]"
                )
            targets.append(self._known_conversation(channel_id))
        channels = args.get("channels")
        if isinstance(channels, str):
            channels = [c.strip() for c in channels.split(",") if c.strip()]
        for target in channels or []:
            # ``channels`` may name users too: the file goes to the app's DM with them.
            user_dm = self.dm_channel(target) if target in self.users else None
            targets.append(user_dm or self._known_conversation(str(target)))
        return list(dict.fromkeys(targets))

    def _file_object(self, upload: _Upload) -> dict[str, Any]:
        """The file object Slack returns from completeUploadExternal and shows in messages."""
        name = upload.filename
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        filetype = upload.snippet_type or extension or "binary"
        mimetype = mimetypes.guess_type(name)[0] or (
            "text/plain" if upload.snippet_type else "application/octet-stream"
        )
        private_url = f"{self.base_url}/files-pri/{self.team_id}-{upload.file_id}"
        quoted = quote(name)
        created = int(upload.created)
        channels = [c for c in upload.channels if c in self.channels]
        file: dict[str, Any] = {
            "id": upload.file_id,
            "created": created,
            "timestamp": created,
            "name": name,
            "title": upload.title or name,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "editable": False,
            "size": len(upload.data) if upload.data is not None else upload.length,
            "mode": "snippet" if upload.snippet_type else "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": any(not self.channels[c]["is_private"] for c in channels),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{private_url}/{quoted}",
            "url_private_download": f"{private_url}/download/{quoted}",
            "permalink": (
                f"https://{self.team_domain}.slack.com/files/"
                f"{self.bot_user_id}/{upload.file_id}/{quoted}"
            ),
            "channels": [c for c in channels if not self.channels[c]["is_private"]],
            "groups": [c for c in channels if self.channels[c]["is_private"]],
            "ims": [c for c in upload.channels if c not in self.channels],
            "comments_count": 0,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if upload.alt_txt:
            file["alt_txt"] = upload.alt_txt
        size = _png_size(upload.data or b"")
        if size is not None:
            file["original_w"], file["original_h"] = size
        return file

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3: finish uploads and share them, posting one file message per conversation."""
        entries = self._upload_entries(args.get("files"))
        uploads: list[_Upload] = []
        for entry in entries:
            upload = self._uploads.get(entry["id"])
            # An id never issued, whose bytes never arrived, or already completed: the
            # upload ticket no longer leads to a file.
            if upload is None or upload.data is None or upload.completed:
                raise ApiError("file_not_found")
            uploads.append(upload)
        targets = self._share_targets(args)
        thread_ts = args.get("thread_ts") or None
        if thread_ts:
            if len(targets) != 1:
                raise invalid_argument("thread_ts needs exactly one channel to share to")
            if not any(m["channel"] == targets[0] and m["ts"] == thread_ts for m in self._messages):
                raise ApiError("thread_not_found")
        initial_comment = args.get("initial_comment") or None
        blocks = None if initial_comment else args.get("blocks")  # Slack ignores blocks then
        if blocks:
            problems = message_problems(text="", blocks=blocks)
            if problems:
                raise invalid_arguments(problems, "/blocks")
            blocks = fill_ids(copy.deepcopy(blocks))
        # Everything is checked: nothing below fails, so a refused call changes no state.
        for upload, entry in zip(uploads, entries, strict=True):
            upload.title = str(entry.get("title") or upload.filename)
            upload.channels = targets
            upload.thread_ts = thread_ts
            upload.initial_comment = initial_comment
            upload.completed = True
        files = [self._file_object(u) for u in uploads]
        for channel in targets:
            record = self._store_message(
                channel,
                initial_comment,
                blocks,
                thread_ts=thread_ts,
                source="files.completeUploadExternal",
            )
            record["files"] = copy.deepcopy(files)
            for upload in uploads:
                upload.shares[channel] = record["ts"]
        return {"files": files}
