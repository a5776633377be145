"""Data functions: keyword-only, taking the session explicitly, always workspace-scoped."""
