"""Resident pages (mounted at /participation/)."""

from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    path("p/<int:pk>/", views.proposal, name="proposal"),
    path("p/<int:pk>/edit/", views.edit, name="edit"),
    path("p/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("p/<int:pk>/comment/", views.comment, name="comment"),
    path("p/<int:pk>/report/", views.report, name="report"),
    path("p/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("p/<int:pk>/answer/", views.answer, name="answer"),
    path("photo/<int:pk>.jpg", views.photo, name="photo"),
    path("<slug:slug>/", views.process, name="process"),
    path("<slug:slug>/proposals/", views.proposals, name="proposals"),
    path("<slug:slug>/new/", views.new, name="new"),
    path("<slug:slug>/new/<str:step>/", views.new, name="new_step"),
    path("<slug:slug>/vote/<int:heading>/", views.ballot, name="ballot"),
    path("<slug:slug>/vote/<int:heading>/done/", views.voted, name="voted"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results/<int:heading>.pb", views.open_data, name="open_data"),
    path("<slug:slug>/tracking/", views.tracking, name="tracking"),
    path("<slug:slug>/statistics/", views.statistics, name="statistics"),
]
