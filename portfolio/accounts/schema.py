"""How drf-spectacular describes organization API keys in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class OrganizationApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "portfolio.accounts.authentication.OrganizationApiKeyAuthentication"
    name = "organizationApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "rfo_<prefix>_<secret>",
            "description": (
                "An organization's API key, created by an owner on the organization's page or with "
                "`python manage.py create_org_api_key <org-slug>`, and shown once. Scopes: `jobs:read`, "
                "`jobs:write`, `applications:read`, `applications:write`, `webhooks:manage`. A member's "
                "logged-in session (with its CSRF token on writes) works too, with every scope."
            ),
        }
