"""Provider webhooks (delivery receipts). The namespace `messaging` comes from messaging/urls.py."""

from django.urls import path

from messaging.delivery import views

urlpatterns = [
    path("webhooks/notify/status/", views.notify_receipt, name="notify-receipt"),
    path("webhooks/voice/status/", views.voice_receipt, name="voice-receipt"),
]
