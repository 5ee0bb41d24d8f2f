from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login-verify"),
    path("logout/", views.logout_view, name="logout"),
    path("home/", views.home, name="home"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/sent/", views.password_reset_done, name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("password/reset/complete/", views.password_reset_complete, name="password-reset-complete"),
    path("password/change/", views.password_change, name="password-change"),
    path("password/change/done/", views.password_change_done, name="password-change-done"),
    path("api-token/", views.api_token, name="api-token"),
    path("api-token/create/", views.api_token_create, name="api-token-create"),
    path("api-token/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("api-token/revoke-all/", views.api_token_revoke_all, name="api-token-revoke-all"),
]
