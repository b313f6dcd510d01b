"""What both sides of Reelfolio build on: the one error type of expected failures and encryption at rest.

`portfolio` and `integrations` may import `common`; `common` imports neither.
"""
