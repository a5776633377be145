"""The WSGI callable for gunicorn: `gunicorn app.wsgi:api` (see the Procfile)."""

from __future__ import annotations

import sys

from app.logs import configure_logging
from app.runtime import build_runtime
from app.settings import MissingSettingError, Settings


def _build():  # type: ignore[no-untyped-def]
    settings = Settings()
    configure_logging(
        settings.log_level, secrets=settings.secrets(), json_lines=settings.log_format == "json"
    )
    try:
        return build_runtime(settings).wsgi
    except MissingSettingError as missing:
        print(f"okrbot: {missing}", file=sys.stderr)
        raise SystemExit(2) from None


api = _build()
