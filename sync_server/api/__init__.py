"""The HTTP face of intake: thin FastAPI routers over sync_server.ingest."""
