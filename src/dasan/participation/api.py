"""주민참여예산 API (``/api/v1/participation/``)."""

from __future__ import annotations

from ninja import Router, Schema

from . import selectors

router = Router(tags=["participation"])


class SummaryOut(Schema):
    ready: bool


@router.get("/", response=SummaryOut, summary="What the app offers now", auth=None)
def summary(request):
    return selectors.summary(request.user)
