"""The police.uk-compatible read API, under /api/police/ (filled in by the police.uk work)."""

app_name = "policeuk"
urlpatterns: list = []
