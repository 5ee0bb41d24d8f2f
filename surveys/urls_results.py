"""Filled in by the urls_results work."""

urlpatterns = []
