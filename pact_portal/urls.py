from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from meetings import urls as meetings_urls
from meetings.public import urls as meetings_urls_public
from pact_portal.observability.views import metrics, readyz
from pact_portal.views import healthz

urlpatterns = [
    path("", include("neighbourhoods.urls")),
    # Staff pages (meetings.urls) and public pages and feeds (meetings.public.urls) share the "meetings"
    # namespace; two includes of one namespace hide each other's names (urls.W005), hence one include.
    path("", include((meetings_urls.urlpatterns + meetings_urls_public.urlpatterns, "meetings"), namespace="meetings")),
    path("", include("meetings.analytics.urls")),
    path("", include("priorities.urls")),
    path("", include("messaging.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
    path("", include("dataprotection.urls")),
    path("accounts/", include("accounts.urls")),
    # The language switcher on every page posts here. Exempt from CSRF: a forged post can do no more
    # than change a visitor's language, and a token in the switcher would make every public page
    # personal, so pact_portal.caching could no longer keep them for anonymous visitors.
    path("i18n/setlang/", csrf_exempt(login_not_required(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/police/", include("neighbourhoods.policeuk.urls")),
    path("open311/v2/", include("priorities.urls.open311")),
    path("api/", include("pact_portal.api_urls")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    # The split view serves Swagger UI's script as a file; its page keeps one small inline style
    # block, a third-party page with nothing a user typed in it.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
]
