"""What leaves the server for people: the administrator's CSV of processed responses (the
anonymised releases for analysts are sync_server/anonymise and their own commands)."""
