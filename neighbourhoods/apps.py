from django.apps import AppConfig


class NeighbourhoodsConfig(AppConfig):
    name = "neighbourhoods"
    verbose_name = "Force geography"

    def ready(self):
        from neighbourhoods.selectors import OFFICER_DASHBOARD, OFFICER_DASHBOARD_MODELS
        from pact_portal import generations

        generations.watch(OFFICER_DASHBOARD, models=OFFICER_DASHBOARD_MODELS)
