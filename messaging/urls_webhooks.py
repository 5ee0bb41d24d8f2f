"""Provider webhooks (delivery receipts). The namespace `messaging` comes from messaging/urls.py."""

from django.urls import path

from messaging import views_webhooks

urlpatterns = [
    path("webhooks/notify/status/", views_webhooks.notify_receipt, name="notify-receipt"),
    path("webhooks/voice/status/", views_webhooks.voice_receipt, name="voice-receipt"),
]
