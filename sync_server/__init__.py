"""The central server: intake, processing, the central store, releases."""
