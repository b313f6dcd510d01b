from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "integrations.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox partner"

    def ready(self):
        # Its partner API key is kept encrypted under TOKEN_ENCRYPTION_KEYS: `rotate_token_keys` re-encrypts it.
        from common import crypto
        from integrations.sandbox.models import SandboxPartnerKey

        # Without it, removing the old key would leave the sandbox's video pages without their anchors
        # until the next `seed_demo`.
        crypto.register_rotation("sandbox partner key(s)", SandboxPartnerKey, ["api_key_encrypted"])
