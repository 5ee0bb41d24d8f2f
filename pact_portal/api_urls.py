"""The REST API. DRF's own permission classes guard every endpoint, so the site-wide
LoginRequiredMiddleware is lifted here: an anonymous API call gets a 403 JSON body, not a
redirect to the login page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from neighbourhoods import api as neighbourhoods_api


def api_view(view_class):
    return login_not_required(view_class.as_view())


urlpatterns = [
    path("neighbourhoods/", api_view(neighbourhoods_api.NeighbourhoodListApi), name="api-neighbourhood-list"),
    path(
        "neighbourhoods/<slug:code>/",
        api_view(neighbourhoods_api.NeighbourhoodDetailApi),
        name="api-neighbourhood-detail",
    ),
    path("wards/locate/", api_view(neighbourhoods_api.WardLocateApi), name="api-ward-locate"),
]
