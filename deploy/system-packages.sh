#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those missing.
# As root it runs apt-get; otherwise it prints the exact command and fails, so a
# developer without root knows what to ask for.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/system-packages.txt"
mapfile -t wanted < <(grep -Ev '^\s*(#|$)' "$list" | awk '{print $1}')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Debian packages missing for the test suite: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Run as root, then make test again:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
