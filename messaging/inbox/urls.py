"""The inbox (staff, under officer/inbox/) and the inbound email webhook. Replies by text come by
the inbound SMS webhook in messaging.members.urls, which also takes STOP."""

from django.urls import path

from messaging.inbox import views, webhooks

urlpatterns = [
    path("officer/inbox/", views.inbox_home, name="inbox"),
    path("officer/inbox/not-matched/", views.inbox_unmatched, name="inbox-unmatched"),
    path("officer/inbox/team/<slug:code>/", views.inbox_team, name="inbox-team"),
    path("officer/inbox/replies/<int:pk>/", views.reply_detail, name="inbox-reply"),
    path("officer/inbox/replies/<int:pk>/answer/", views.reply_answer, name="inbox-reply-answer"),
    path("officer/inbox/replies/<int:pk>/close/", views.reply_close, name="inbox-reply-close"),
    path("webhooks/mailgun/inbound/", webhooks.mailgun_inbound, name="mailgun-inbound"),
]
