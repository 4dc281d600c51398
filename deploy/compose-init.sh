#!/usr/bin/env bash
# compose.yaml's one-off setup (`docker compose run --rm init`): the store, the survey key
# and the roles, once; then the survey PUBLIC key is copied to the volume the internet-facing
# services mount (they never see the private half). Passphrases and passwords come from
# compose secrets (/run/secrets), never from the environment or the command line.
set -euo pipefail
secrets=/run/secrets
data_dir=${MSS_DATA_DIR:-/var/lib/mss}
until pg_isready -q; do sleep 1; done
if [ ! -e "$data_dir/keys/survey-key.public" ]; then
  MSS_KEY_PASSPHRASE=$(cat "$secrets/survey-key-passphrase") \
    mss server init --data-dir "$data_dir"
fi
install -m 0644 "$data_dir/keys/survey-key.public" /srv/public-key/survey-key.public
psql -v ON_ERROR_STOP=1 -q -f /opt/mss/deploy/postgres-roles.sql
for role in intake processor release; do
  # Through stdin: psql interpolates :'password' (quoted for SQL) there, not in -c.
  printf "ALTER ROLE mss_%s PASSWORD :'password';\n" "$role" |
    psql -v ON_ERROR_STOP=1 -q -v "password=$(cat "$secrets/db-$role-password")"
done
echo "initialised: start the services with docker compose up -d"
