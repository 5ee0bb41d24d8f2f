"""Joining In the Know and managing a membership (public, no password), the inbound SMS webhook
that carries STOP replies, and the officers' doorstep sign-up."""

from django.urls import path

from messaging.members.views import field, manage, signup

urlpatterns = [
    path("in-the-know/", signup.signup, name="signup"),
    path("in-the-know/next-steps/", signup.signup_done, name="signup-done"),
    path("in-the-know/confirm/<str:token>/", signup.confirm_email, name="confirm-email"),
    path("in-the-know/confirm/<str:token>/new-link/", signup.confirm_email_resend, name="confirm-email-resend"),
    path("in-the-know/confirm-mobile/<str:token>/", signup.confirm_mobile, name="confirm-mobile"),
    path(
        "in-the-know/confirm-mobile/<str:token>/new-code/", signup.confirm_mobile_resend, name="confirm-mobile-resend"
    ),
    path("in-the-know/manage/", manage.manage_request, name="manage-request"),
    path("in-the-know/manage/<str:token>/", manage.manage, name="manage"),
    path("in-the-know/manage/<str:token>/stop/", manage.manage_stop, name="manage-stop"),
    path("in-the-know/manage/<str:token>/controls/", manage.manage_controls, name="manage-controls"),
    path("in-the-know/manage/<str:token>/resend/", manage.manage_resend, name="manage-resend"),
    path("in-the-know/manage/<str:token>/my-data/", manage.manage_download, name="manage-download"),
    path("in-the-know/manage/<str:token>/erase/", manage.manage_erase, name="manage-erase"),
    path("in-the-know/manage/<str:token>/new-links/", manage.manage_rotate, name="manage-rotate"),
    path("in-the-know/manage/<str:token>/fresh-link/", manage.manage_renew, name="manage-renew"),
    path("in-the-know/unsubscribe/<uuid:token>/", manage.unsubscribe, name="unsubscribe"),
    # Short, for the end of a text message.
    path("k/<str:code>/", manage.manage_short, name="manage-short"),
    path("k/<str:code>/fresh-link/", manage.manage_short_renew, name="manage-short-renew"),
    path("webhooks/notify/inbound-sms/", manage.sms_inbound, name="sms-inbound"),
    path("officer/in-the-know/sign-up/", field.field_signup, name="field-signup"),
]
