from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "integrations.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox partner"

    def ready(self):
        # Its partner API key is kept encrypted under TOKEN_ENCRYPTION_KEYS: `rotate_token_keys` re-encrypts it.
        from common import crypto
        from integrations.sandbox.partner_api import sandbox_keys_rotate

        crypto.register_rotation("sandbox partner key(s)", sandbox_keys_rotate)
