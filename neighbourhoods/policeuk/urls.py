"""The police.uk-compatible read API, under /api/police/: data.police.uk's paths, without trailing
slashes, as its clients request them.

Order matters as it does on police.uk: `forces/…` and `locate-neighbourhood` come before the
`{force}/{neighbourhood}` catch-all, and `{force}/neighbourhoods` before `{force}/{neighbourhood}`,
so a neighbourhood cannot be called "neighbourhoods" (police.uk's own clients refuse that id too).
"""

from django.urls import path

from neighbourhoods.policeuk import views as policeuk

app_name = "policeuk"

urlpatterns = [
    path("forces", policeuk.forces, name="forces"),
    path("forces/<str:force>", policeuk.force_detail, name="force"),
    path("forces/<str:force>/people", policeuk.force_people, name="force-people"),
    path("locate-neighbourhood", policeuk.locate_neighbourhood, name="locate-neighbourhood"),
    path("<str:force>/neighbourhoods", policeuk.neighbourhoods, name="neighbourhoods"),
    path("<str:force>/<str:neighbourhood>", policeuk.neighbourhood_detail, name="neighbourhood"),
    path("<str:force>/<str:neighbourhood>/boundary", policeuk.neighbourhood_boundary, name="boundary"),
    path("<str:force>/<str:neighbourhood>/people", policeuk.neighbourhood_people, name="people"),
    path("<str:force>/<str:neighbourhood>/events", policeuk.neighbourhood_events, name="events"),
    path("<str:force>/<str:neighbourhood>/priorities", policeuk.neighbourhood_priorities, name="priorities"),
]
