"""The demo city's bulky-waste set-up: collection districts and a fee table.

``load_demo()`` is idempotent (run it twice, nothing doubles); ``dasan demo`` calls it.
"""
from __future__ import annotations

from pathlib import Path

from django.db import transaction

from .fees import import_fees
from .models import District

DEMO_FEES = Path(__file__).parent / "data" / "demo_fees.csv"

# (code, 행정동, weekdays the crew works (Mon=0), items a day)
DISTRICTS = [
    ("9999951000", "중앙동", "024", 40),
    ("9999952000", "동부동", "135", 30),
    ("9999953000", "서부동", "024", 30),
    ("9999954000", "남산동", "13", 20),
    ("9999955000", "북문동", "01234", 50),
]


def load_demo() -> dict:
    """Create the demo districts and import the demo fee table (in force from 2026-01-01)."""
    with transaction.atomic():
        for code, name, weekdays, capacity in DISTRICTS:
            District.objects.update_or_create(
                code=code, defaults={"name": name, "weekdays": weekdays, "daily_capacity": capacity, "active": True})
        report = import_fees(DEMO_FEES.read_bytes())
    return {"districts": len(DISTRICTS), "fees": report.imported + report.updated + report.unchanged,
            "rejected": len(report.rejected)}
