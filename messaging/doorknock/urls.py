"""The officers' door-knock pages (mounted in the messaging namespace)."""

from django.urls import path

from messaging.doorknock import views

urlpatterns = [
    path("officer/door-knocks/", views.round_list, name="doorknock-rounds"),
    path("officer/door-knocks/plan/", views.round_plan, name="doorknock-plan"),
    path("officer/door-knocks/streets/import/", views.street_list_import, name="doorknock-import"),
    path("officer/door-knocks/<int:pk>/", views.round_detail, name="doorknock-round"),
    path("officer/door-knocks/<int:pk>/doors/<int:door_pk>/", views.door_record, name="doorknock-door"),
    path("officer/door-knocks/<int:pk>/finish/", views.round_finish, name="doorknock-finish"),
    path("officer/door-knocks/<int:pk>/next/", views.round_plan_next, name="doorknock-next"),
]
