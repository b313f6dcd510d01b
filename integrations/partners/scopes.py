"""What an API key may do. A key carries a subset of these; each API view names the one it needs."""

ANCHORS_READ = "anchors:read"

SCOPES: dict[str, str] = {
    ANCHORS_READ: "Read the anchors to render on videos (GET /api/v1/anchors/)",
}
DEFAULT_SCOPES: tuple[str, ...] = (ANCHORS_READ,)
