from django.apps import AppConfig


class PactPortalConfig(AppConfig):
    """The project package as an app, so project-wide rules are applied once every model is loaded."""

    name = "pact_portal"
    verbose_name = "PACT Portal"

    def ready(self):
        from pact_portal import text

        text.install_model_validators()
