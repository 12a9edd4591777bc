"""Payment pages and provider callbacks (placeholder until they land)."""
app_name = "payments"
urlpatterns: list = []
