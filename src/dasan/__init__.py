"""Dasan (다산): an open smart civil-service platform for Korean local governments."""

__version__ = "0.1.0"
