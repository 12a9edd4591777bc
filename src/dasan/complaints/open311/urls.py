"""Open311 GeoReport v2 (placeholder until the endpoints land)."""
app_name = "open311"
urlpatterns: list = []
