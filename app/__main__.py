"""`python -m app` is the same as the `okrbot` command."""

from app.cli import main

raise SystemExit(main())
