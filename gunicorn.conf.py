"""gunicorn reads this file from the working directory by itself (`gunicorn portfolio.wsgi ...`).

Under PROMETHEUS_MULTIPROC_DIR each worker writes its metrics to files there; when a worker exits, its
live gauges (the cache breaker's state) are dropped, so that /metrics adds up only processes still running.
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
