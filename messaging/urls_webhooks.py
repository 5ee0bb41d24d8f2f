"""Filled in by the urls_webhooks work."""

urlpatterns = []
