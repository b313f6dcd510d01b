from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portfolio.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"
