"""Traces with OpenTelemetry, off unless OpenTelemetry's own variables ask for them.

`OTEL_TRACES_EXPORTER` (`otlp` or `console`) or an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) switches them on; `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`
keeps them off. Everything else (service name, headers, sampler, protocol details) is read by the SDK from
the standard `OTEL_*` variables. Each process starts tracing once: the web server in `portfolio/wsgi.py`,
before Django builds its middleware; a Celery worker in each pool process (`worker_process_init`), or in
the worker itself with a pool that does not fork. Django's requests, outgoing HTTP (requests), Celery's
tasks (linked to the request that published them), Redis and PostgreSQL (psycopg) calls become spans.
"""

import os
from collections.abc import Mapping
from typing import Any

_instrumentors: list[Any] = []
_started_in: int | None = None  # the pid of the process whose tracing started


def tracing_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _exporter() -> Any:
    if os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def tracing_start(*, exporter: Any = None) -> bool:
    """Starts tracing in this process when the OTEL_* variables ask for it (or `exporter`, a test's, is
    given); True when it started now. Once per process: later calls do nothing."""
    global _started_in
    if _started_in is not None or (exporter is None and not tracing_wanted()):
        return False
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "reelfolio"}
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_exporter()))
    trace.set_tracer_provider(provider)
    for instrumentor in (
        DjangoInstrumentor(), RequestsInstrumentor(), CeleryInstrumentor(), RedisInstrumentor(), PsycopgInstrumentor()
    ):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider)
            _instrumentors.append(instrumentor)
    _started_in = os.getpid()
    return True


def tracing_stop() -> None:
    """Takes the instrumentation off again (tests; a process keeps its tracing otherwise)."""
    global _started_in
    while _instrumentors:
        _instrumentors.pop().uninstrument()
    _started_in = None
