"""Staff pages (mounted at /staff/participation/)."""

from django.urls import path

from . import views_staff

app_name = "participation_staff"
urlpatterns = [
    path("", views_staff.index, name="index"),
    path("p/<int:pk>/review/", views_staff.review, name="review"),
    path("p/<int:pk>/hide/", views_staff.hide, name="hide"),
    path("p/<int:pk>/merge/", views_staff.merge, name="merge"),
    path("p/<int:pk>/track/", views_staff.track, name="track"),
    path("reports/<int:pk>/dismiss/", views_staff.dismiss, name="dismiss"),
    path("offline/<int:pk>/confirm/", views_staff.confirm, name="confirm"),
    path("<slug:slug>/offline/", views_staff.offline, name="offline"),
    path("<slug:slug>/close/", views_staff.close, name="close"),
    path("<slug:slug>/publish/", views_staff.publish, name="publish"),
]
