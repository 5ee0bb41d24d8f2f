"""The portal's URLs plus a bare view: the floor a page's speed is measured against."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from pact_portal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *portal_urlpatterns]
