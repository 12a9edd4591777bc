"""Pages (placeholder until they land)."""
app_name = "goods"
urlpatterns: list = []
