"""Built-in TI providers: ``local`` (offline, no keys) and ``online`` (HTTP APIs)."""
