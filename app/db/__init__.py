"""Persistence: the SQLModel tables, the engine and its migrations.

`Session` is what a unit of work hands to `app.store`'s data functions; layers above the
store name it from here and never import the ORM themselves.
"""

from sqlmodel import Session

from app.db.engine import Database

__all__ = ["Database", "Session"]
