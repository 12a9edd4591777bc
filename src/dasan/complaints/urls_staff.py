"""Staff workbench for complaints (placeholder until the pages land)."""
app_name = "complaints_staff"
urlpatterns: list = []
