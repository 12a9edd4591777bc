"""Fixtures for core's tests (the plain-HTTP test settings live in tests/conftest.py)."""
