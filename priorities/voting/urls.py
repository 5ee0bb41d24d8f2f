"""Residents' votes, in the `priorities` namespace (included by priorities/urls/__init__.py)."""

from django.urls import path

from priorities.voting import views

urlpatterns = [
    path("vote/<str:token>/", views.ballot, name="ballot"),
    path("votes/<uuid:reference>/", views.result, name="vote-result"),
    path("votes/<uuid:reference>/ask-for-a-ballot/", views.email_ballot_request, name="vote-ask-ballot"),
    path("neighbourhoods/<slug:code>/votes/", views.neighbourhood_results, name="public-votes"),
    path("officer/neighbourhoods/<slug:code>/votes/", views.vote_list, name="vote-list"),
    path("officer/neighbourhoods/<slug:code>/votes/new/", views.vote_create, name="vote-create"),
    path("officer/votes/<int:pk>/", views.vote_detail, name="vote-detail"),
    path("officer/votes/<int:pk>/close/", views.vote_close, name="vote-close"),
    path("officer/votes/<int:pk>/agree/<int:priority_pk>/", views.vote_agree, name="vote-agree"),
    path("officer/votes/<int:pk>/sign-off/", views.poll_sign_off, name="vote-sign-off"),
    path("officer/votes/sign-off-polls/<int:pk>/new/", views.sign_off_poll_create, name="sign-off-poll-create"),
]
