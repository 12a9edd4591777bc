from django.urls import path

from . import views

app_name = "kakao"
urlpatterns = [
    path("skill", views.skill, name="skill"),
    path("skill/", views.skill),
]
