"""Webhooks in both directions: events partners send us (inbound) and deliveries to employers' ATS (outbound)."""

from .inbound import InboundEvent
from .outbound import Delivery, DeliveryAttempt, Endpoint

__all__ = ["Delivery", "DeliveryAttempt", "Endpoint", "InboundEvent"]
