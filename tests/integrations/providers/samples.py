"""Replays providers' documented sample answers (fixtures/<provider>/*.json) from the fake provider."""

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def sample(name: str):
    return json.loads((FIXTURES / name).read_text())


def replay(fake, method: str, path: str, fixture: str, *, status: int = 200, headers: dict | None = None):
    body = (FIXTURES / fixture).read_bytes()

    def route(seen):
        return status, {"Content-Type": "application/json", **(headers or {})}, body

    fake.routes[(method, path)] = route
    return route


def paged(fake, path: str, fixtures: list[str]):
    """GET `path?page=N` answers fixtures[N-1] with a `Link: rel="next"` header while more pages follow."""

    def route(seen):
        page = int(seen.query.get("page", 1))
        headers = {"Content-Type": "application/json"}
        if page < len(fixtures):
            headers["Link"] = (
                f'<{fake.url}{path}?page={page + 1}&per_page=100>; rel="next", '
                f'<{fake.url}{path}?page={len(fixtures)}>; rel="last"'
            )
        return 200, headers, (FIXTURES / fixtures[page - 1]).read_bytes()

    fake.routes[("GET", path)] = route
