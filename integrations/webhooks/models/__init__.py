"""Webhooks in both directions: events partners send us (inbound) and deliveries to employers' ATS (outbound)."""

from .inbound import InboundEvent

# Outbound models are imported here too.

__all__ = ["InboundEvent"]
