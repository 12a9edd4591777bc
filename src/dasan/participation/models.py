"""Data of 주민참여예산 and the invariants the database holds (constraints, unique keys)."""
