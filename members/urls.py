from django.contrib.auth import views as auth_views
from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("verify/resend/", views.resend_verification, name="resend_verification"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/", views.account_settings, name="settings"),
    path("email/confirm/<str:token>/", views.confirm_email_change, name="confirm_email_change"),
    path("delete/", views.delete_account, name="delete"),
    path("export/", views.export_data, name="export"),
    path("profile/", views.edit_profile, name="profile"),
    path("people/<id:user_id>/", views.profile_detail, name="detail"),
]
