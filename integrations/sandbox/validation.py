def request_has_nul(request) -> bool:
    """True when a query or form parameter carries a NUL character, which PostgreSQL cannot even look up."""
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for params in (request.GET, request.POST)
        for key, values in params.lists()
    )
