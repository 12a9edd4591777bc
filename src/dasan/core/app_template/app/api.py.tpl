"""__APP_TITLE__ API (``/api/v1/__APP_URL__/``)."""

from __future__ import annotations

from ninja import Router, Schema

from . import selectors

router = Router(tags=["__APP_LABEL__"])


class __APP_CLASS__SummaryOut(Schema):
    ready: bool


@router.get("/", response=__APP_CLASS__SummaryOut, summary="What the app offers now", auth=None)
def summary(request):
    return selectors.summary(request.user)
