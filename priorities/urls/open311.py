"""Open311 GeoReport v2, under /open311/v2/. The extension in each path picks the format."""

from django.urls import re_path

from priorities.views import open311

FORMAT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + FORMAT, open311.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, open311.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[A-Za-z0-9_-]+)" + FORMAT, open311.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9_-]+)" + FORMAT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_-]+)" + FORMAT, open311.token_detail, name="token"),
]
