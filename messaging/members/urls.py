"""Joining In the Know and managing a membership (public, no password), the inbound SMS webhook
that carries STOP replies, and the officers' doorstep sign-up."""

from django.urls import path

from messaging.members import views

urlpatterns = [
    path("in-the-know/", views.signup, name="signup"),
    path("in-the-know/next-steps/", views.signup_done, name="signup-done"),
    path("in-the-know/confirm/<str:token>/", views.confirm_email, name="confirm-email"),
    path("in-the-know/confirm/<str:token>/new-link/", views.confirm_email_resend, name="confirm-email-resend"),
    path("in-the-know/confirm-mobile/<str:token>/", views.confirm_mobile, name="confirm-mobile"),
    path("in-the-know/confirm-mobile/<str:token>/new-code/", views.confirm_mobile_resend, name="confirm-mobile-resend"),
    path("in-the-know/manage/", views.manage_request, name="manage-request"),
    path("in-the-know/manage/<str:token>/", views.manage, name="manage"),
    path("in-the-know/manage/<str:token>/stop/", views.manage_stop, name="manage-stop"),
    path("in-the-know/manage/<str:token>/resend/", views.manage_resend, name="manage-resend"),
    path("in-the-know/manage/<str:token>/my-data/", views.manage_download, name="manage-download"),
    path("in-the-know/manage/<str:token>/erase/", views.manage_erase, name="manage-erase"),
    path("in-the-know/manage/<str:token>/new-links/", views.manage_rotate, name="manage-rotate"),
    path("in-the-know/manage/<str:token>/fresh-link/", views.manage_renew, name="manage-renew"),
    path("in-the-know/unsubscribe/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
    # Short, for the end of a text message.
    path("k/<str:code>/", views.manage_short, name="manage-short"),
    path("k/<str:code>/fresh-link/", views.manage_short_renew, name="manage-short-renew"),
    path("webhooks/notify/inbound-sms/", views.sms_inbound, name="sms-inbound"),
    path("officer/in-the-know/sign-up/", views.field_signup, name="field-signup"),
]
