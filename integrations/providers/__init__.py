"""Every provider kind Reelfolio knows, as an explicit list (no discovery by import order).

An entry of OAUTH_PROVIDERS picks one by its `kind`; the sandbox's two are configured automatically
when SANDBOX_ENABLED. Code outside this package imports `Provider` and `Account` from here.
"""

from .dribbble import DribbbleProvider
from .github import GitHubProvider
from .oauth2 import OAuth2Provider
from .oidc import OIDCProvider
from .provider import Provider
from .sandbox import SandboxFreelanceProvider, SandboxVideoProvider
from .tiktok import TikTokProvider
from .types import Account

__all__ = ["PROVIDER_CLASSES", "Account", "Provider"]

PROVIDER_CLASSES = [
    OIDCProvider,
    OAuth2Provider,
    TikTokProvider,
    DribbbleProvider,
    GitHubProvider,
    SandboxFreelanceProvider,
    SandboxVideoProvider,
]
