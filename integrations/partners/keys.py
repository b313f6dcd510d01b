"""The shape of partners' API keys and of webhook secrets.

A partner's key is `rfk_<prefix>_<secret>` (common.api_keys: making, parsing and checking keys).
"""

import base64
import secrets

API_KEY_KIND = "rfk"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
