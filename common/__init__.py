"""What both sides of Reelfolio build on, one door per concern: the one error type of expected failures,
encryption at rest and key rotation, outgoing HTTP, the early answers of hot paths and the middleware
every answer goes through.

`portfolio` and `integrations` may import `common`; `common` imports neither.
"""
