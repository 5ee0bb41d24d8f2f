"""Filled in by the urls_representation work."""

urlpatterns = []
