"""Persistence: the SQLModel tables, the engine and its migrations."""

from app.db.engine import Database

__all__ = ["Database"]
