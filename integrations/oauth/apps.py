from django.apps import AppConfig


class OAuthConfig(AppConfig):
    name = "integrations.oauth"
    label = "oauth"
    verbose_name = "Linked accounts (OAuth)"
