"""State changes of 이음 지갑: the only place its rows change.

Each function takes the object first and ``*, actor=``, and goes lock → authorise → check →
save → event → audit (see dasan.complaints.services.start for the pattern)."""

from __future__ import annotations
