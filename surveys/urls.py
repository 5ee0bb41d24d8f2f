"""Surveys: staff building and sending, public answering, results, and representativeness."""

from surveys.build import urls as urls_build
from surveys.representation import urls as urls_representation
from surveys.respond import urls as urls_respond
from surveys.results import urls as urls_results

app_name = "surveys"
urlpatterns = [
    *urls_build.urlpatterns,
    *urls_respond.urlpatterns,
    *urls_results.urlpatterns,
    *urls_representation.urlpatterns,
]
