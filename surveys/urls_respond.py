"""Filled in by the urls_respond work."""

urlpatterns = []
