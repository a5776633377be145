"""The stand-in takes file uploads from slack_sdk's files_upload_v2 as Slack does.

files_upload_v2 makes three requests: files.getUploadURLExternal, a POST of the bytes to the
returned upload URL (served by the stand-in itself), then files.completeUploadExternal.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.charts import ChartSpec, Series, render_progress_chart
from app.tryout.standin import SlackStandIn

# Every test talks to the stand-in's HTTP server: not in the fast loop.
pytestmark = pytest.mark.e2e


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(clock=lambda: 1_700_000_000.0) as server:
        server.add_user("U1", name="alice")
        server.add_channel("C0PRIV", name="okr-leads", is_private=True)
        yield server


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    # No retry handlers: every error reaches the test as it would reach the app.
    return WebClient(base_url=standin.api_url, token=standin.bot_token, retry_handlers=[])


@pytest.fixture(scope="module")
def png() -> bytes:
    spec = ChartSpec(
        "Growth · 2026-Q4 · week 8 of 13",
        13,
        8,
        [Series("Grow weekly active teams", [0.1, 0.2, 0.3, 0.35, 0.5, 0.55, 0.6, 0.7])],
    )
    return render_progress_chart(spec)


def post(url: str, data: bytes, content_type: str | None = None) -> tuple[int, str]:
    """POST bytes as a plain HTTP client would; returns (status, body) even for errors."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


def test_files_upload_v2_shares_the_png_in_the_channel(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    response = client.files_upload_v2(
        channel="C0GENERAL",
        file=png,
        filename="digest.png",
        title="Growth digest",
        initial_comment="This week's progress",
        alt_txt="Progress of one objective against the expected pace",
    )

    assert response["ok"] is True
    file = response["file"]
    assert file["name"] == "digest.png"
    assert file["title"] == "Growth digest"
    assert file["mimetype"] == "image/png"
    assert file["filetype"] == "png"
    assert file["size"] == len(png)
    assert (file["original_w"], file["original_h"]) == (800, 450)
    assert file["channels"] == ["C0GENERAL"]

    [upload] = standin.uploads("C0GENERAL")
    assert upload["bytes"] == png  # exactly what was sent
    assert upload["file_id"] == file["id"]
    assert upload["filename"] == "digest.png"
    assert upload["title"] == "Growth digest"
    assert upload["length"] == len(png)
    assert upload["channel"] == "C0GENERAL"
    assert upload["initial_comment"] == "This week's progress"
    assert upload["alt_txt"] == "Progress of one objective against the expected pace"
    assert upload["thread_ts"] is None
    assert upload["completed"] is True

    [message] = standin.messages("C0GENERAL")
    assert message["text"] == "This week's progress"
    assert message["ts"] == upload["ts"]
    assert [f["name"] for f in message["files"]] == ["digest.png"]
    assert message["source"] == "files.completeUploadExternal"
    assert [c.method for c in standin.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_the_file_message_shows_in_conversation_history(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    client.chat_postMessage(channel="C0GENERAL", text="before")
    client.files_upload_v2(channel="C0GENERAL", file=png, filename="digest.png")

    newest = client.conversations_history(channel="C0GENERAL")["messages"][0]

    assert newest["upload"] is True
    assert newest["user"] == standin.bot_user_id
    assert newest["files"][0]["name"] == "digest.png"
    assert newest["files"][0]["title"] == "digest.png"  # the filename when no title is given
    assert "files" not in client.conversations_history(channel="C0GENERAL")["messages"][1]


def test_text_content_is_uploaded_as_utf8(standin: SlackStandIn, client: WebClient) -> None:
    response = client.files_upload_v2(
        channel="C0GENERAL", content="Fortschritt: 62 % – gut", filename="notes.txt"
    )

    assert response["file"]["mimetype"] == "text/plain"
    assert standin.uploads()[0]["bytes"] == "Fortschritt: 62 % – gut".encode()


def test_an_upload_can_go_into_a_thread(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    parent = client.chat_postMessage(channel="C0GENERAL", text="Weekly digest")["ts"]

    client.files_upload_v2(channel="C0GENERAL", file=png, filename="digest.png", thread_ts=parent)

    reply = standin.messages("C0GENERAL")[-1]
    assert reply["thread_ts"] == parent
    assert reply["files"][0]["name"] == "digest.png"
    assert standin.uploads("C0GENERAL")[0]["thread_ts"] == parent


def test_a_thread_that_does_not_exist_is_refused(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.files_upload_v2(
            channel="C0GENERAL", file=png, filename="digest.png", thread_ts="1.000001"
        )

    assert api_error(excinfo) == "thread_not_found"
    assert standin.messages("C0GENERAL") == []


def test_an_unknown_channel_is_channel_not_found(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.files_upload_v2(channel="C0NOSUCHCHAN", file=png, filename="digest.png")

    assert api_error(excinfo) == "channel_not_found"
    # The bytes arrived but the upload was never completed or shared.
    [upload] = standin.uploads()
    assert upload["completed"] is False
    assert upload["channel"] is None
    assert standin.messages() == []


def test_channel_id_must_be_a_conversation_id(client: WebClient, png: bytes) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.files_upload_v2(channel="U1", file=png, filename="digest.png")

    assert api_error(excinfo) == "invalid_arguments"
    messages = excinfo.value.response["response_metadata"]["messages"]
    assert "json-pointer:/channel_id" in messages[0]


def test_a_bad_token_is_invalid_auth(standin: SlackStandIn, png: bytes) -> None:
    client = WebClient(base_url=standin.api_url, token="xoxb-wrong", retry_handlers=[])

    with pytest.raises(SlackApiError) as excinfo:
        client.files_upload_v2(channel="C0GENERAL", file=png, filename="digest.png")

    assert api_error(excinfo) == "invalid_auth"
    assert standin.uploads() == []


def test_without_a_channel_the_file_stays_private(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    response = client.files_upload_v2(file=png, filename="digest.png")

    assert response["file"]["channels"] == []
    [upload] = standin.uploads()
    assert upload["completed"] is True and upload["channels"] == []
    assert standin.messages() == []


def test_channels_may_name_several_conversations_and_users(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    client.files_upload_v2(channels=["C0GENERAL", "C0PRIV", "U1"], file=png, filename="d.png")

    dm = standin.dm_channel("U1")
    [upload] = standin.uploads()
    assert upload["channels"] == ["C0GENERAL", "C0PRIV", dm]
    for channel in ("C0GENERAL", "C0PRIV", dm):
        assert [m["files"][0]["name"] for m in standin.messages(channel)] == ["d.png"]
    file = standin.messages("C0PRIV")[0]["files"][0]
    assert (file["channels"], file["groups"], file["ims"]) == (["C0GENERAL"], ["C0PRIV"], [dm])
    assert standin.uploads("C0PRIV")[0]["ts"] == standin.messages("C0PRIV")[0]["ts"]


def test_the_upload_url_answers_like_slacks_file_server(
    standin: SlackStandIn, client: WebClient
) -> None:
    issued = client.files_getUploadURLExternal(filename="a.txt", length=5)

    assert issued["file_id"].startswith("F")
    assert issued["upload_url"].startswith(standin.base_url + "/upload/v1/")
    assert post(issued["upload_url"], b"hello") == (200, "OK - 5")
    assert post(standin.base_url + "/upload/v1/not-a-ticket", b"hello")[0] == 404


def test_a_length_mismatch_fails_the_upload(standin: SlackStandIn, client: WebClient) -> None:
    issued = client.files_getUploadURLExternal(filename="a.txt", length=10)

    status, body = post(issued["upload_url"], b"short")

    assert status == 400
    assert "expected 10 bytes, received 5" in body
    assert standin.uploads()[0]["bytes"] is None
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": issued["file_id"]}])
    assert api_error(excinfo) == "file_not_found"


def test_a_multipart_form_upload_is_accepted(standin: SlackStandIn, client: WebClient) -> None:
    issued = client.files_getUploadURLExternal(filename="a.bin", length=4)
    boundary = "standin-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="filename"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"\x00\x01\xfe\xff"
        + f"\r\n--{boundary}--\r\n".encode()
    )

    status, _ = post(issued["upload_url"], body, f"multipart/form-data; boundary={boundary}")

    assert status == 200
    assert standin.uploads()[0]["bytes"] == b"\x00\x01\xfe\xff"


def test_completing_an_unknown_or_finished_upload_is_file_not_found(
    client: WebClient, png: bytes
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": "F0NOSUCHFILE"}])
    assert api_error(excinfo) == "file_not_found"

    done = client.files_upload_v2(channel="C0GENERAL", file=png, filename="digest.png")
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": done["file"]["id"]}])
    assert api_error(excinfo) == "file_not_found"


def test_completing_before_the_bytes_arrive_is_file_not_found(client: WebClient) -> None:
    issued = client.files_getUploadURLExternal(filename="a.txt", length=5)

    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": issued["file_id"]}])

    assert api_error(excinfo) == "file_not_found"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"filename": "a.txt", "length": 0}, "missing_argument"),
        ({"filename": "", "length": 3}, "invalid_arguments"),
        ({"filename": "a.txt", "length": "three"}, "invalid_arguments"),
        ({"filename": "a.png", "length": 3, "alt_txt": "x" * 1001}, "alt_txt_too_large"),
    ],
)
def test_get_upload_url_validates_its_arguments(
    standin: SlackStandIn, client: WebClient, arguments: dict[str, object], error: str
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("files.getUploadURLExternal", params=arguments)

    assert api_error(excinfo) == error
    assert standin.uploads() == []


def test_a_failing_file_server_surfaces_as_an_http_error(
    standin: SlackStandIn, client: WebClient, png: bytes
) -> None:
    standin.fail_next("upload", status=500, error="internal_error")

    # slack_sdk posts to the upload URL with urllib directly: the failure is an HTTPError,
    # not a SlackApiError, and no retry handler sees it.
    with pytest.raises(urllib.error.HTTPError):
        client.files_upload_v2(channel="C0GENERAL", file=png, filename="digest.png")

    assert standin.messages() == []
    client.files_upload_v2(channel="C0GENERAL", file=png, filename="digest.png")
    assert len(standin.messages("C0GENERAL")) == 1


def test_concurrent_uploads_are_all_recorded(standin: SlackStandIn, client: WebClient) -> None:
    payloads = [f"digest {i} ".encode() * (i + 1) for i in range(8)]
    errors: list[BaseException] = []

    def upload(data: bytes, index: int) -> None:
        try:
            client.files_upload_v2(channel="C0GENERAL", content=data, filename=f"d{index}.txt")
        except BaseException as exc:  # collected: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(p, i)) for i, p in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    uploads = {u["filename"]: u for u in standin.uploads("C0GENERAL")}
    assert {name: u["bytes"] for name, u in uploads.items()} == {
        f"d{i}.txt": p for i, p in enumerate(payloads)
    }
    assert len({u["file_id"] for u in uploads.values()}) == len(payloads)
    assert len(standin.messages("C0GENERAL")) == len(payloads)
