"""Mobile Survey Stations: the one `mss` command that every user starts from."""
