"""In the Know: the public subscription pages, staff alert pages and provider webhooks."""

from messaging import urls_alerts, urls_subscribe, urls_tracking, urls_webhooks

app_name = "messaging"
urlpatterns = [
    *urls_subscribe.urlpatterns,
    *urls_alerts.urlpatterns,
    *urls_tracking.urlpatterns,
    *urls_webhooks.urlpatterns,
]
