"""The names the oauth Celery tasks are registered under (tasks.py), for the services that enqueue them.

tasks.py calls the services, so the services cannot import it; they enqueue a task by its name instead,
as Celery signatures do, and these constants keep the two spellings one.
"""

SYNC_LINKED_ACCOUNT = "oauth.sync_linked_account"
REFRESH_TOKEN = "oauth.refresh_token"
