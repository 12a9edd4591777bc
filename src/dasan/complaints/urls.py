"""Resident and public complaint pages (placeholder until the pages land)."""
app_name = "complaints"
urlpatterns: list = []
