"""Data of 이음 지갑 and the invariants the database holds (constraints, unique keys)."""
