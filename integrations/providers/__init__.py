"""Every provider kind Reelfolio knows, as an explicit list (no discovery by import order).

An entry of OAUTH_PROVIDERS picks one by its `kind`; the sandbox's two are configured automatically
when SANDBOX_ENABLED.
"""

from .dribbble import DribbbleProvider
from .github import GitHubProvider
from .oauth2 import OAuth2Provider
from .oidc import OIDCProvider
from .sandbox import SandboxFreelanceProvider, SandboxVideoProvider
from .tiktok import TikTokProvider

PROVIDER_CLASSES = [
    OIDCProvider,
    OAuth2Provider,
    TikTokProvider,
    DribbbleProvider,
    GitHubProvider,
    SandboxFreelanceProvider,
    SandboxVideoProvider,
]
