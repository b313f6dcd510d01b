"""Celery tasks of the webhooks app: processing received events, and delivering to employers."""
