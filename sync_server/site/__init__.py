"""The online survey site: its own ASGI app (create_site_app), campaigns, the respondent's
pages, and the submission of browser-sealed envelopes into the same inbox through the same
intake rules. It holds the survey PUBLIC key only and never reads a response."""
