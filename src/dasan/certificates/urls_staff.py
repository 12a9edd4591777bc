from django.urls import path

app_name = "certificates_staff"
urlpatterns: list = []
