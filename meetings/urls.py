from django.urls import path

from meetings import views
from meetings.panels import urls as panel_urls

app_name = "meetings"

urlpatterns = [
    path("officer/meetings/", views.meeting_list, name="list"),
    path("officer/meetings/calendar/", views.meeting_calendar, name="calendar"),
    path("officer/meetings/new/", views.meeting_create, name="create"),
    path("officer/meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("officer/meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("officer/meetings/<int:pk>/publish/", views.meeting_publish, name="publish"),
    path("officer/meetings/<int:pk>/publish-series/", views.series_publish, name="publish-series"),
    path("officer/meetings/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("officer/meetings/<int:pk>/copy/", views.meeting_copy, name="copy"),
    path("officer/meetings/<int:pk>/delete/", views.meeting_delete, name="delete"),
    path("officer/meetings/<int:pk>/outcome/", views.meeting_record_outcome, name="record-outcome"),
    path("officer/meetings/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("meetings/attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    *panel_urls.urlpatterns,
]
