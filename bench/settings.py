"""The benchmark's settings: production's, plus one URL for the benchmark's second baseline.

bench/run.py starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings. Everything (middleware, apps,
caches, logging) is portfolio.settings as the environment makes it; only the URLconf adds
`/bench/baseline`, which production never routes.
"""

from portfolio.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
