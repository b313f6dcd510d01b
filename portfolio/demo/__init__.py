"""The demo data that `seed_demo` writes: the one place that knows every app."""
