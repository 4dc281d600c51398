// The HPKE `info` that binds a sealed response to its envelope id, spec, station and (envelope
// v5) the survey key's id: byte for byte protocol.envelope_seal_info (protocol/codec.py),
// whose JSON is protocol/canonical.py's (sorted keys, "," and ":", UTF-8 without \u
// escapes). JSON.stringify writes a well-formed string exactly as Python's
// json.dumps(ensure_ascii=False) does; the keys are written here in their sorted order.

const V1 = "MSS envelope v1\u0000"; // names no station: only for envelopes sealed before v2
const V2 = "MSS envelope v2\u0000"; // the site's v3: names no key
const V4 = "MSS envelope v4\u0000"; // names the key too: the stations' v4, the site's v5

// The envelope version the site's pages seal now (protocol.limits.ENVELOPE_V_SITE_KEYED).
export const SITE_ENVELOPE_VERSION = 5;

function wellFormed(value, what) {
  if (typeof value !== "string") throw new TypeError(`${what} must be text`);
  // Python cannot encode a lone surrogate to UTF-8: refuse it here too.
  if (/\p{Surrogate}/u.test(value)) throw new TypeError(`${what} is not valid Unicode`);
  return JSON.stringify(value);
}

export function sealInfo(envelopeId, specIdentity, stationId, keyId) {
  const spec =
    `{"id":${wellFormed(specIdentity.id, "spec id")},` +
    `"sha256":${wellFormed(specIdentity.sha256, "spec sha256")},` +
    `"version":${wellFormed(specIdentity.version, "spec version")}}`;
  const envelope = `"envelope_id":${wellFormed(envelopeId, "envelope id")}`;
  if (stationId === null || stationId === undefined) {
    return new TextEncoder().encode(`${V1}{${envelope},"spec":${spec}}`);
  }
  const station = `"station_id":${wellFormed(stationId, "station id")}`;
  if (keyId === null || keyId === undefined) {
    return new TextEncoder().encode(`${V2}{${envelope},"spec":${spec},${station}}`);
  }
  const key = `"key_id":${wellFormed(keyId, "key id")}`;
  return new TextEncoder().encode(`${V4}{${envelope},${key},"spec":${spec},${station}}`);
}
