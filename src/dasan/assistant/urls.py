from django.urls import path

from . import views

app_name = "assistant"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("ask/", views.ask, name="ask"),
    path("new/", views.new_conversation, name="new"),
    path("voice/", views.voice_question, name="voice"),
    path("turns/<int:turn_id>/feedback/", views.feedback, name="feedback"),
    path("widget/", views.widget, name="widget"),
    path("staff/gaps/", views.staff_gaps, name="staff_gaps"),
]
