"""API (placeholder until the endpoints land)."""
from ninja import Router

router = Router(tags=["goods"])
