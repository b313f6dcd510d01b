"""How drf-spectacular describes a kind of API key in the OpenAPI schema: a bearer scheme, its format and
where keys come from. A kind of key subclasses ApiKeySchemeBase with `target_class` (its authentication),
`name`, `bearer_format` and `description`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeySchemeBase(OpenApiAuthenticationExtension):
    bearer_format: str
    description: str

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": self.bearer_format, "description": self.description}
