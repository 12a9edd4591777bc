from django.urls import path

app_name = "queueing_staff"
urlpatterns: list = []
