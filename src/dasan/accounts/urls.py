from django.urls import path

from . import views, views_residency

app_name = "accounts"
urlpatterns = [
    path("login/", views.resident_login, name="login"),
    path("login/verify/", views.resident_verify, name="verify"),
    path("login/resend/", views.resident_resend, name="resend"),
    path("staff/login/", views.staff_login, name="staff_login"),
    path("staff/otp/", views.staff_otp, name="staff_otp"),
    path("staff/enrol/", views.staff_enrol, name="staff_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me, name="me"),
    path("residency/", views_residency.status, name="residency"),
    path("residency/declare/", views_residency.declare, name="residency_declare"),
    path("residency/check/", views_residency.check, name="residency_check"),
    path("residency/done/", views_residency.done, name="residency_done"),
]
