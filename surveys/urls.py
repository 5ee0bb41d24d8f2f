"""Surveys: staff building and sending, public answering, results, and representativeness."""

from surveys import urls_build, urls_representation, urls_respond, urls_results

app_name = "surveys"
urlpatterns = [
    *urls_build.urlpatterns,
    *urls_respond.urlpatterns,
    *urls_results.urlpatterns,
    *urls_representation.urlpatterns,
]
