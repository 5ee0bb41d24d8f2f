from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from accounts.backends import USERS
        from pact_portal import generations

        generations.watch(USERS, models=["accounts.User"])
