"""In the Know: the public subscription pages, staff alert pages and provider webhooks."""

from messaging.alerts import urls as alerts_urls
from messaging.delivery import urls as delivery_urls
from messaging.doorknock import urls as doorknock_urls
from messaging.inbox import urls as inbox_urls
from messaging.measures import urls as measures_urls
from messaging.members import urls as members_urls

app_name = "messaging"
urlpatterns = [
    *members_urls.urlpatterns,
    *alerts_urls.urlpatterns,
    *measures_urls.urlpatterns,
    *delivery_urls.urlpatterns,
    *inbox_urls.urlpatterns,
    *doorknock_urls.urlpatterns,
]
