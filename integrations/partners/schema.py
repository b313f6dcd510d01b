"""How drf-spectacular describes partner API keys in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.partners.authentication.PartnerApiKeyAuthentication"
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "rfk_<prefix>_<secret>",
            "description": (
                "A partner API key, created with `python manage.py create_partner <name>` or in the admin "
                "and shown once. Keys are scoped (the anchor lookup needs `anchors:read`) and revocable."
            ),
        }
