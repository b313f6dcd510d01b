class ApplicationError(Exception):
    """An expected failure of a service, with a message fit to show to the person who caused it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, extra: dict | None = None, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
