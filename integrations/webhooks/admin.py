"""Admin of the webhooks app."""
