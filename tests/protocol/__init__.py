"""Tests of sync_server."""
