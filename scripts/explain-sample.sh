#!/usr/bin/env bash
# Shows `tokengate explain` on three sample HS256 tokens made here with the openssl CLI:
# a valid one, a tampered one (payload changed after signing) and an expired one.
#
#   scripts/explain-sample.sh          (uses build/tokengate; TOKENGATE_BIN overrides)
#
# Exit 0 when every verdict is the expected one (accept, reject, reject), else 1.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
BIN=${TOKENGATE_BIN:-$ROOT/build/tokengate}
ISSUER=https://demo.tokengate.local/
AUDIENCE=demo-api

if [ ! -x "$BIN" ]; then
  echo "explain-sample.sh: $BIN not found; build it first: scripts/demo.sh" >&2
  exit 2
fi
command -v openssl >/dev/null 2>&1 || { echo "explain-sample.sh: needs the openssl CLI (scripts/install-deps.sh)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

# 32 random bytes as 64 hex characters: long enough for HS256. Written without a
# trailing newline (a trailing newline in a secret file is a classic mistake).
secret=$(openssl rand -hex 32)
printf '%s' "$secret" >"$tmp/secret"
chmod 600 "$tmp/secret"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
hs256() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary | b64url; }

now=$(date +%s)
header=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64url)
claims() { # sub iat exp
  printf '{"iss":"%s","aud":"%s","sub":"%s","iat":%d,"exp":%d}' "$ISSUER" "$AUDIENCE" "$1" "$2" "$3"
}

payload=$(claims demo-user "$now" $((now + 600)) | b64url)
valid="$header.$payload.$(hs256 "$header.$payload")"

# Same signature, payload changed afterwards (sub demo-user -> admin).
forged=$(claims admin "$now" $((now + 600)) | b64url)
tampered="$header.$forged.${valid##*.}"

old=$(claims demo-user $((now - 7200)) $((now - 3600)) | b64url)
expired="$header.$old.$(hs256 "$header.$old")"

printf 'Secret file: %s (HS256, %d bytes)\n' "$tmp/secret" "${#secret}"
printf 'Policy:      --issuer %s --audience %s\n' "$ISSUER" "$AUDIENCE"

mismatches=0
show() { # title expected-exit token
  local title=$1 want=$2 token=$3 rc=0 verdict
  printf '\n==== %s\n' "$title"
  printf '$ tokengate explain --secret-file %s --issuer %s --audience %s %s\n\n' \
    "$tmp/secret" "$ISSUER" "$AUDIENCE" "$token"
  "$BIN" explain --secret-file "$tmp/secret" --issuer "$ISSUER" --audience "$AUDIENCE" "$token" || rc=$?
  case "$rc" in
    0) verdict="ACCEPTED" ;;
    1) verdict="REJECTED" ;;
    2) verdict="USAGE/INPUT ERROR" ;;
    *) verdict="UNEXPECTED EXIT" ;;
  esac
  if [ "$rc" -eq "$want" ]; then
    printf '\n==> %s (exit %d, as expected)\n' "$verdict" "$rc"
  else
    printf '\n==> %s (exit %d, expected exit %d)\n' "$verdict" "$rc" "$want"
    mismatches=$((mismatches + 1))
  fi
}

show "1. valid token (expected: accepted)" 0 "$valid"
show "2. tampered token: payload changed after signing (expected: bad_signature)" 1 "$tampered"
show "3. expired token: exp one hour ago (expected: expired)" 1 "$expired"

echo
if [ "$mismatches" -eq 0 ]; then
  echo "explain-sample.sh: all three verdicts as expected."
else
  echo "explain-sample.sh: $mismatches verdict(s) not as expected." >&2
  exit 1
fi
