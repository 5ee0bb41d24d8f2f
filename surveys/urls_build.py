"""Filled in by the urls_build work."""

urlpatterns = []
