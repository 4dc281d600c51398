"""Wire schemas shared by station and server (pydantic only)."""
