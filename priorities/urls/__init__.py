from django.urls import path

from priorities.partners import urls as partner_urls
from priorities.tasking import urls as tasking_urls
from priorities.urls import intake as urls_intake
from priorities.urls import public as urls_public
from priorities.urls import records as urls_records
from priorities.views import open311_keys as views_open311
from priorities.voting import urls as voting_urls

app_name = "priorities"

urlpatterns = [*urls_intake.urlpatterns, *urls_records.urlpatterns, *urls_public.urlpatterns]
urlpatterns += [*partner_urls.urlpatterns, *tasking_urls.urlpatterns, *voting_urls.urlpatterns]
urlpatterns += [
    path("officer/open311/keys/", views_open311.key_list, name="open311-keys"),
    path("officer/open311/keys/<int:pk>/revoke/", views_open311.key_revoke, name="open311-key-revoke"),
]
