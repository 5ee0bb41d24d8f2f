"""Filled in by the tracking and measures work."""

urlpatterns = []
