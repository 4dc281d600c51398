"""Size limits of the wire protocol, shared by station (building batches) and server."""

from __future__ import annotations

PROTOCOL_VERSION = 1
# An envelope's own version: 2 binds the sealing station's id into the HPKE context, so
# another tablet cannot pass a station's envelopes off as its own. Version 1 envelopes
# (sealed before that, still in outboxes) stay valid and are checked otherwise.
# 4 also names the survey key that sealed it (`key_id`), bound in the context too: a server
# holds a key per country and wave. What stations build now.
ENVELOPE_VERSION = 4
# The first version that binds the station (2, 3 and 4 do).
STATION_BOUND_ENVELOPE_VERSION = 2
UNBOUND_ENVELOPE_VERSION = 1
# An envelope sealed in a browser by the online site: the v2 context (naming the campaign's
# virtual station), sealed with AES-128-GCM, which WebCrypto has. Never in a station batch.
ENVELOPE_V_SITE = 3
# From this version an envelope carries `key_id`. Older ones were all sealed to the server's
# first survey key (`<data_dir>/keys/survey-key.public`).
ENVELOPE_V_KEYED = 4
# The site's envelope that binds its key id in the sealed context, exactly as v4 does (v3's
# key_id is only the site's label): what the site's pages seal now. v3 still arrives from
# pages loaded before, and opens as it did.
ENVELOPE_V_SITE_KEYED = 5
SITE_ENVELOPE_VERSIONS = (ENVELOPE_V_SITE, ENVELOPE_V_SITE_KEYED)

MAX_ENVELOPES_PER_BATCH = 500
# The gzip bytes on the wire (HTTP body or USB file).
MAX_BATCH_BYTES = 4 * 1024 * 1024
# The JSON inside the gzip: stops a small gzip from inflating into gigabytes.
MAX_BATCH_DECOMPRESSED_BYTES = 16 * 1024 * 1024
# Enrolment requests and beacons are small plain JSON bodies.
MAX_SMALL_BODY_BYTES = 64 * 1024
# One sealed response, base64 on the wire.
MAX_SEALED_CHARS = 1024 * 1024

# Sequence numbers (envelopes, batches) stop where the server's INTEGER columns do; a
# station seals orders of magnitude fewer in its life.
MAX_SEQUENCE = 2**31 - 1
