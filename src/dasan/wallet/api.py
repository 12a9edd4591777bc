"""이음 지갑 API (``/api/v1/wallet/``)."""

from __future__ import annotations

from ninja import Router, Schema

from . import selectors

router = Router(tags=["wallet"])


class SummaryOut(Schema):
    ready: bool


@router.get("/", response=SummaryOut, summary="What the app offers now", auth=None)
def summary(request):
    return selectors.summary(request.user)
