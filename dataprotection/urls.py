from django.urls import path, re_path

from dataprotection.audit import views as audit_views
from dataprotection.subjects import views as subject_views

app_name = "dataprotection"

urlpatterns = [
    path("data-protection/subjects/", subject_views.subjects, name="subjects"),
    re_path(
        r"^data-protection/subjects/export/(?P<fmt>json|csv)/$", subject_views.subject_export, name="subject-export"
    ),
    path("data-protection/subjects/erase/", subject_views.subject_erase, name="subject-erase"),
    path("data-protection/audit-trail/", audit_views.audit_trail, name="audit-trail"),
]
