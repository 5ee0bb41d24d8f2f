"""Public meeting pages and calendar feeds, at the site root under the `meetings` namespace."""

from django.urls import path

from meetings.panels import urls as panel_urls
from meetings.public import views as public_views

urlpatterns = [
    path("meetings.ics", public_views.force_feed, name="force-feed"),
    path("meetings/<uuid:uid>/", public_views.meeting_detail, name="public-detail"),
    path("meetings/<uuid:uid>.ics", public_views.meeting_ics, name="public-ics"),
    path("neighbourhoods/<slug:code>/meetings/", public_views.neighbourhood_meetings, name="neighbourhood-meetings"),
    path("neighbourhoods/<slug:code>/meetings.ics", public_views.neighbourhood_feed, name="neighbourhood-feed"),
    path("wards/<str:code>/meetings/", public_views.ward_meetings, name="ward-meetings"),
    path("wards/<str:code>/meetings.ics", public_views.ward_feed, name="ward-feed"),
    *panel_urls.public_urlpatterns,
]
