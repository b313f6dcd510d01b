from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portfolio.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"

    def ready(self):
        # Registers the OpenAPI description of organization API keys with drf-spectacular.
        from portfolio.accounts import schema  # noqa: F401

        # Employers link video accounts for their organization only (asked by integrations.oauth).
        from portfolio.accounts.handlers import register as register_link_policy

        register_link_policy()

        # "Continue with <provider>": who a visitor signs in as (asked by integrations.oauth).
        from integrations.oauth import hooks
        from portfolio.accounts.services import user_for_provider_sign_in

        hooks.register_sign_in(user_for_provider_sign_in)
