"""Filled in by the urls_alerts work."""

urlpatterns = []
