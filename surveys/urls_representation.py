"""Representativeness: whom In the Know and the surveys reach, against the census, and where to
sign people up next."""

from django.urls import path

from surveys import views_representation as views

urlpatterns = [
    path("officer/representation/", views.representation, name="representation"),
]
