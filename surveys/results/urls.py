"""Results, trends and anonymised exports (staff)."""

from django.urls import path

from surveys.results import views as views_results

urlpatterns = [
    path("officer/surveys/<int:pk>/results/", views_results.results, name="results"),
    path("officer/surveys/<int:pk>/results/weighted/", views_results.weighted, name="results-weighted"),
    path("officer/surveys/trends/", views_results.trends, name="trends"),
    path("officer/surveys/<int:pk>/export.<str:fmt>", views_results.export, name="export"),
]
