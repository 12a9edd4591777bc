"""Data of __APP_TITLE__ and the invariants the database holds (constraints, unique keys)."""
