"""The console: server-rendered pages for coordinators, analysts and administrators, over
the same services the command line and the API call (access, ingest.fleet, releases).
It decides nothing itself: who may see what is sync_server/access/user_roles.py."""
