"""Settings: from the environment, secrets hidden, clear errors."""

from __future__ import annotations

import pytest

from app.cli import main
from app.settings import DEFAULT_DATABASE_URL, MissingSettingError, Settings


def test_defaults_need_no_configuration() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///okrbot.db"
    assert settings.slack_bot_token is None and not settings.socket_mode
    assert settings.log_level == "INFO"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret-from-env")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-from-env")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = Settings(_env_file=None)
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-env"
    assert settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.log_level == "DEBUG"


def test_secrets_never_show_in_reprs_or_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-very-secret")
    settings = Settings(_env_file=None)
    for shown in (repr(settings), str(settings), str(settings.model_dump())):
        assert "very-secret" not in shown


def test_a_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-dotenv\nDATABASE_URL=sqlite:///x.db\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.slack_bot_token.get_secret_value() == "xoxb-dotenv"
    assert settings.database_url == "sqlite:///x.db"


def test_require_names_the_first_missing_variable() -> None:
    settings = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="  ")
    with pytest.raises(MissingSettingError) as missing:
        settings.require("slack_bot_token", "slack_signing_secret")
    assert missing.value.name == "SLACK_SIGNING_SECRET"


def test_an_invalid_setting_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s" * 20)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("okrbot: invalid setting LOG_LEVEL")


def test_bad_command_lines_exit_2_with_one_line(capsys) -> None:
    for argv in (["nope"], ["serve", "--port", "abc"], ["db"], ["export", "--format", "xml"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("okrbot: "), (argv, err)


def test_help_lists_the_subcommands(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in ("serve", "demo", "db", "import", "export"):
        assert command in out


def test_the_starting_server_answers_health_and_refuses_the_rest_until_ready() -> None:
    from app.server import Starting

    starting = Starting()
    seen: list[str] = []

    def start_response(status: str, headers: list) -> None:
        seen.append(status)

    starting({"PATH_INFO": "/healthz"}, start_response)
    starting({"PATH_INFO": "/slack/events"}, start_response)
    starting.ready(lambda environ, respond: (respond("200 OK", []), [b"app"])[1])
    assert starting({"PATH_INFO": "/slack/events"}, start_response) == [b"app"]
    assert seen == ["200 OK", "503 Service Unavailable", "200 OK"]
