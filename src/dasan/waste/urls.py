"""Pages (placeholder until they land)."""
app_name = "waste"
urlpatterns: list = []
