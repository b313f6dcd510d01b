"""Deliveries to employers' ATS endpoints: endpoints, the outbox, signing, delivery and its log."""
