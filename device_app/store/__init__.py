"""The station database: one SQLCipher file per station, unlocked by the coordinator passphrase."""
