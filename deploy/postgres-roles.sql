-- PostgreSQL roles for MSS: each process gets only the tables and verbs it needs.
--
--   mss_owner      owns the tables: `mss server init`, migrations, the operator's commands
--                  (enroll-token, campaign add, user …). No daemon connects as it.
--   mss_intake     the internet-facing workers (`mss server serve` behind nginx for the
--                  stations' /v1/ routes, and `mss server site`): stores sealed envelopes in
--                  the inbox tables, enrols stations, reads specs and keys. It cannot read a
--                  processed response, change or delete an inbox row, or touch users.
--   mss_processor  `mss server process`: reads the inbox, marks its rows processed or
--                  quarantined, inserts responses. It cannot delete anything or read users.
--   mss_release    analysts' release jobs (`mss server release`): read responses (and the
--                  specs and comment reviews that shape a release); write only the release
--                  list and the append-only audit log. It never sees the inbox.
--
-- Order (deploy/README.md): as a superuser `CREATE ROLE mss_owner LOGIN;` and
-- `CREATE DATABASE mss OWNER mss_owner;`; `mss server init` with MSS_DATABASE_URL naming
-- mss_owner; then, connected to that database as a superuser:
--     psql -v ON_ERROR_STOP=1 -d mss -f deploy/postgres-roles.sql
-- Run it again after every upgrade that adds a table (it is idempotent). Passwords are not
-- here: set them with \password, or use peer/certificate authentication in pg_hba.conf.

DO $$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['mss_owner', 'mss_intake', 'mss_processor', 'mss_release']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = wanted) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', wanted);
        END IF;
    END LOOP;
    -- Nobody else connects, and nobody but the owner creates tables.
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO mss_owner, mss_intake, mss_processor, '
                   'mss_release', current_database());
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO mss_intake, mss_processor, mss_release;
-- Start from nothing on every table and sequence, then grant table by table.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM mss_intake, mss_processor, mss_release;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM mss_intake, mss_processor, mss_release;

-- Every process checks the schema's revision (workers start with --no-migrate).
GRANT SELECT ON alembic_version TO mss_intake, mss_processor, mss_release;

-- Intake: enrolment, batches into the inbox, receipts, fleet beacons; the site's campaigns.
GRANT SELECT ON specs, survey_keys TO mss_intake;
-- Beacon answers carry the operator's signature of the country's key (public facts only).
GRANT SELECT ON survey_key_ring, operator_keys TO mss_intake;
GRANT SELECT, UPDATE ON enrolment_tokens TO mss_intake;                  -- a token is used once
GRANT SELECT, INSERT, UPDATE ON stations TO mss_intake;                   -- counters, beacons
GRANT SELECT, INSERT ON batches, receipts, inbox, quarantine TO mss_intake; -- dedup reads them
GRANT USAGE ON SEQUENCE quarantine_id_seq TO mss_intake;
-- Campaigns are read only: intake never changes one, so it cannot swap a campaign's key.
GRANT SELECT ON campaigns TO mss_intake;
GRANT SELECT, UPDATE ON campaign_access_codes TO mss_intake;              -- codes are spent
GRANT SELECT, INSERT, UPDATE ON campaign_submission_tokens TO mss_intake;

-- The processor: claims inbox rows (FOR UPDATE SKIP LOCKED needs UPDATE on a column) and
-- may change only their processing state; inserts responses (COPY needs INSERT only).
GRANT SELECT ON inbox, stations, specs, survey_keys, survey_key_ring, campaigns TO mss_processor;
-- `process` enters the first survey key in the ring (its public facts only) on a server
-- made before the ring; it never changes or retires a key.
GRANT INSERT ON survey_key_ring TO mss_processor;
GRANT UPDATE (state, claimed_by, claimed_at, problem_code, problem_detail) ON inbox
    TO mss_processor;
GRANT INSERT ON responses TO mss_processor;

-- Release jobs: read the central store's responses; list what they built; audit it.
GRANT SELECT ON responses, specs, comment_reviews, users, api_tokens TO mss_release;
GRANT SELECT, INSERT ON releases TO mss_release;
GRANT INSERT ON audit_log TO mss_release;
GRANT USAGE ON SEQUENCE audit_log_entry_id_seq TO mss_release;
