#!/usr/bin/env bash
# The processor under systemd, which cannot type a passphrase. Two ways to unlock the
# survey key, chosen by the unit (see README.md, "The survey key under systemd"):
#
# - One passphrase (mss-processor.service, run by its timer): the unit loads it with
#   LoadCredentialEncrypted=survey-key-passphrase:… — encrypted at rest with the host's key
#   (and its TPM where there is one), decrypted by systemd into a private, memory-backed
#   $CREDENTIALS_DIRECTORY for this run only — and this script hands it to `mss server
#   process` as MSS_KEY_PASSPHRASE.
# - m of n custodians (mss-processor-custodians.service, started by the custodians):
#   MSS_SHARES_DIR holds their share files (share-<index>-<name>.txt, from `mss server
#   survey-key split`). Each share's passphrase is asked through systemd-ask-password: the
#   custodian who runs `systemctl start` answers in that terminal, the others each at their
#   own (`sudo systemd-tty-ask-password-agent`). A custodian who is absent leaves theirs
#   empty; `mss server process` needs the key's threshold of shares and says so.
#
# Passphrases never reach a file or the command line; they live in this process's
# environment until `mss` has unlocked the key.
set -euo pipefail
mss=${MSS_BIN:-/opt/mss/.venv/bin/mss}
data_dir=${MSS_DATA_DIR:-/var/lib/mss}
ask=${MSS_ASK_PASSWORD:-systemd-ask-password}
args=(server process --data-dir "$data_dir")
credential="${CREDENTIALS_DIRECTORY:-/nonexistent}/survey-key-passphrase"
if [ -r "$credential" ]; then
  MSS_KEY_PASSPHRASE=$(cat "$credential")
  export MSS_KEY_PASSPHRASE
fi
if [ -n "${MSS_SHARES_DIR:-}" ]; then
  shopt -s nullglob
  for share in "$MSS_SHARES_DIR"/share-*-*.txt; do
    name=$(basename "$share" .txt)
    rest=${name#share-}
    index=${rest%%-*}
    custodian=${rest#*-}
    [[ $index =~ ^[0-9]+$ ]] || continue
    passphrase=$("$ask" --timeout=1800 --id="mss-share-$index" \
      "Custodian ${custodian//_/ }, passphrase of survey-key share $index:")
    [ -n "$passphrase" ] || continue
    export "MSS_SHARE_PASSPHRASE_$index=$passphrase"
    args+=(--share "$share")
  done
fi
exec "$mss" "${args[@]}"
