from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("receipts/<slug:channel>/", views.receipts, name="receipts"),
]
