"""Filled in by the urls_subscribe work."""

urlpatterns = []
