"""Reads of the jobs app, one module per area (import the module you need). Selectors return an object
or None; views decide on 404."""
