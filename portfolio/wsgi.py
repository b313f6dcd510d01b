import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

# Traces when the OTEL_* variables ask for them, started before Django builds its middleware.
from portfolio.core.tracing import tracing_start  # noqa: E402

tracing_start()

application = get_wsgi_application()
