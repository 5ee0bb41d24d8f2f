from django.urls import path

from neighbourhoods import views

app_name = "neighbourhoods"

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("wards.geojson", views.wards_geojson, name="wards-geojson"),
    path("neighbourhoods/locate/", views.locate, name="locate"),
    path("neighbourhoods/<slug:code>/", views.neighbourhood_detail, name="detail"),
    path("neighbourhoods/<slug:code>/wards.geojson", views.neighbourhood_wards_geojson, name="detail-geojson"),
    path("neighbourhoods/<slug:code>/edit/", views.neighbourhood_edit, name="edit"),
    path("officer/", views.officer_home, name="officer-home"),
    path("officer/wards.geojson", views.officer_wards_geojson, name="officer-geojson"),
]
