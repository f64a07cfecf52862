"""The HTTP service: one FastAPI app, one router module per concern."""
