"""The links inside a message (click counter, open pixel, feedback) and the staff measures page."""

from django.urls import path

from messaging.measures import views

urlpatterns = [
    path("in-the-know/r/<uuid:token>/", views.click, name="click"),
    path("in-the-know/o/<uuid:token>.gif", views.open_pixel, name="open"),
    path("in-the-know/feedback/<uuid:token>/", views.feedback, name="feedback"),
    path("officer/in-the-know/measures/", views.measures, name="measures"),
]
