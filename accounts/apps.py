from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from accounts.backends import USERS
        from accounts.middleware import TWO_FACTOR_DEVICES
        from pact_portal import generations

        generations.watch(USERS, models=["accounts.User"])
        generations.watch(TWO_FACTOR_DEVICES, models=["otp_totp.TOTPDevice"])
