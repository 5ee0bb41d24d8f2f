from django.urls import path

from meetings.analytics import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.analytics_home, name="home"),
    path("analytics/force/", views.analytics_force, name="force"),
    path("analytics/divisions/<slug:code>/", views.analytics_division, name="division"),
    path("analytics/neighbourhoods/<slug:code>/", views.analytics_neighbourhood, name="neighbourhood"),
]
