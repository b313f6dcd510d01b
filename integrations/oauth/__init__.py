"""Linked accounts: creators link freelance and video-platform accounts over OAuth 2.0 / OpenID Connect.

    registry.py   the configured providers (integrations/providers: the kinds, one small module each)
    flow.py       the authorization code flow on Authlib's Django client, plus the issuer checks
    services.py   link, refresh (under a row lock), sync, unlink (with revocation), key rotation
    crypto.py     the token vault's MultiFernet over TOKEN_ENCRYPTION_KEYS
    views.py      /integrations/oauth/ and <id>/connect/, callback/, sync/, unlink/
    tasks.py      Celery: sync one account, refresh one token, and the two beat sweeps
"""
