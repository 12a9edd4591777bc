from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns: list = [
    path("<int:pk>/", views.article, name="article"),
    path("<str:slug>/", views.article, name="article_slug"),
]
