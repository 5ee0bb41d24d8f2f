"""Staff alert pages, under officer/alerts/."""

from django.urls import path

from messaging.alerts import views

urlpatterns = [
    path("officer/alerts/", views.alert_list, name="alert-list"),
    path("officer/alerts/new/", views.alert_create, name="alert-create"),
    path("officer/alerts/audience/", views.alert_audience, name="alert-audience"),
    path("officer/alerts/outbox/", views.outbox, name="outbox"),
    path("officer/alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("officer/alerts/<int:pk>/edit/", views.alert_edit, name="alert-edit"),
    path("officer/alerts/<int:pk>/submit/", views.alert_submit, name="alert-submit"),
    path("officer/alerts/<int:pk>/approve/", views.alert_approve, name="alert-approve"),
    path("officer/alerts/<int:pk>/cancel/", views.alert_cancel, name="alert-cancel"),
    path("officer/alerts/<int:pk>/versions/<str:language>/", views.alert_version, name="alert-version"),
    path("officer/alerts/<int:pk>/progress/", views.alert_progress, name="alert-progress"),
]
