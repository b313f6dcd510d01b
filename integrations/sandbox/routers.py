"""The sandbox keeps its rows in a database of its own, as an outside partner would.

That matters beyond realism: Reelfolio refreshes a token while holding a lock in its own database, and
the sandbox answers that refresh (and writes the rotated token) in the same process. On SQLite a lock
is database-wide, so sharing one database would make the two wait for each other.
"""

SANDBOX_DB = "sandbox"


class SandboxRouter:
    app_label = "sandbox"

    def db_for_read(self, model, **hints):
        return SANDBOX_DB if model._meta.app_label == self.app_label else None

    def db_for_write(self, model, **hints):
        return SANDBOX_DB if model._meta.app_label == self.app_label else None

    def allow_relation(self, obj1, obj2, **hints):
        in_sandbox = {obj1._meta.app_label == self.app_label, obj2._meta.app_label == self.app_label}
        return None if in_sandbox == {False} else len(in_sandbox) == 1

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == self.app_label:
            return db == SANDBOX_DB
        return None if db != SANDBOX_DB else False
