"""The survey station: session, encrypted store, outbox, sync, provisioning, kiosk."""
