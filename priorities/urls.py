from priorities import urls_intake, urls_public, urls_records

app_name = "priorities"

urlpatterns = [*urls_intake.urlpatterns, *urls_records.urlpatterns, *urls_public.urlpatterns]
