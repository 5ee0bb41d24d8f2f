"""The links inside a message (click counter, open pixel, feedback) and the staff measures page."""

from django.urls import path

from messaging import views_measures, views_tracking

urlpatterns = [
    path("in-the-know/r/<uuid:token>/", views_tracking.click, name="click"),
    path("in-the-know/o/<uuid:token>.gif", views_tracking.open_pixel, name="open"),
    path("in-the-know/feedback/<uuid:token>/", views_tracking.feedback, name="feedback"),
    path("officer/in-the-know/measures/", views_measures.measures, name="measures"),
]
