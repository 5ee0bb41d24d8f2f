"""Public priority pages, at the site root under the `priorities` namespace."""

from django.urls import path

from priorities.views import public

urlpatterns = [
    path("neighbourhoods/<slug:code>/priorities/", public.neighbourhood_priorities, name="public-list"),
    path("priorities/<uuid:reference>/", public.priority_detail, name="public-detail"),
    path("priorities/<uuid:reference>/follow/", public.priority_follow, name="public-follow"),
    path("priorities/unfollow/<uuid:token>/", public.priority_unfollow, name="public-unfollow"),
    path("priorities/follow/confirm/<str:token>/", public.priority_follow_confirm, name="public-follow-confirm"),
]
