from django.urls import path

from priorities.views import intake

urlpatterns = [
    path("report/", intake.issue_raise, name="raise-issue"),
    path("report/received/", intake.issue_received, name="issue-received"),
    path("officer/issues/new/", intake.issue_log, name="log-issue"),
    path("officer/issues/<int:pk>/", intake.issue_detail, name="issue-detail"),
    path("officer/issues/<int:pk>/photo/", intake.issue_photo, name="issue-photo"),
    path("officer/issues/<int:pk>/merge/", intake.issue_merge, name="issue-merge"),
    path("officer/issues/<int:pk>/close/", intake.issue_close, name="issue-close"),
    path("officer/issues/<int:pk>/category/", intake.issue_recategorise, name="issue-recategorise"),
    path("officer/neighbourhoods/<slug:code>/triage/", intake.triage, name="triage"),
    path("officer/neighbourhoods/<slug:code>/priorities/propose/", intake.priority_propose, name="propose"),
]
