#!/usr/bin/env bash
# One backup of the central store: pg_dump in PostgreSQL's custom format (compressed,
# restorable table by table), written under a temporary name, checked to be a readable
# archive, then renamed, so a half-written dump never looks like a backup. Dumps older than
# MSS_BACKUP_KEEP_DAYS are removed. Run by mss-backup.timer; restore with mss-restore.sh.
#
# The dump holds processed answers (not anonymised) and sealed envelopes: it is as secret as
# the database. Files are 0600; copy them off the host encrypted (age, gpg, an encrypted
# bucket), never in clear.
#
# Connection: libpq's own variables (PGHOST, PGPORT, PGUSER, PGPASSFILE) or, by default,
# the local socket as the unit's user.
set -euo pipefail
database=${MSS_BACKUP_DATABASE:-mss}
dest=${MSS_BACKUP_DIR:-/var/backups/mss}
keep_days=${MSS_BACKUP_KEEP_DAYS:-14}
umask 077
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$dest/$database-$stamp.dump"
partial="$dest/.$database-$stamp.dump.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --no-password --dbname="$database" --file="$partial"
pg_restore --list "$partial" >/dev/null  # a dump that cannot be listed is no backup
mv "$partial" "$final"
find "$dest" -maxdepth 1 -name "$database-*.dump" -mtime +"$keep_days" -delete
echo "$final"
