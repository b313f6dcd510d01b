"""How drf-spectacular describes partner API keys in the OpenAPI schema."""

from common.api_keys.schema import ApiKeySchemeBase


class PartnerApiKeyScheme(ApiKeySchemeBase):
    target_class = "integrations.partners.authentication.PartnerApiKeyAuthentication"
    name = "partnerApiKey"
    bearer_format = "rfk_<prefix>_<secret>"
    description = (
        "A partner API key, created with `python manage.py create_partner <name>` or in the admin "
        "and shown once. Keys are scoped (the anchor lookup needs `anchors:read`) and revocable."
    )
