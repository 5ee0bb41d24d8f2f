"""Representativeness: whom In the Know and the surveys reach, against the census, and where to
sign people up next."""

from django.urls import path

from surveys.representation import views

urlpatterns = [
    path("officer/representation/", views.representation, name="representation"),
]
