#!/usr/bin/env bash
# Restore a dump from mss-backup.sh into a NEW database (never over an existing one), give
# it fresh planner statistics (a restore brings none: see README.md, autovacuum), and print
# each table's row count so they can be compared with the source's.
#
#   mss-restore.sh /var/backups/mss/mss-20261202T030000Z.dump mss_restored [owner]
#
# Then point MSS_DATABASE_URL at the new database (or rename it: ALTER DATABASE … RENAME) and
# start the units again. Connection: libpq's variables (PGHOST, PGPORT, PGUSER), by default
# the local socket. The roles of deploy/postgres-roles.sql must exist on the target server
# (their grants come back with the dump).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DUMP NEW_DATABASE [OWNER]" >&2
  exit 2
fi
dump=$1
target=$2
owner=${3:-}
pg_restore --list "$dump" >/dev/null
createdb --no-password ${owner:+--owner="$owner"} "$target"  # fails if it exists
pg_restore --no-password --exit-on-error --single-transaction --dbname="$target" "$dump"
vacuumdb --no-password --analyze-only --quiet --dbname="$target"
psql --no-password --no-psqlrc -X -At -v ON_ERROR_STOP=1 --dbname="$target" <<'SQL'
SELECT format('%s %s', c.relname,
              (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',
                     n.nspname, c.relname), false, true, '')))[1]::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY c.relname;
SQL
