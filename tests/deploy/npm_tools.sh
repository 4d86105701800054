#!/usr/bin/env bash
# Verifies: the pinned npm tools of tests/deploy install (npm ci: exact versions and
# integrity hashes from package-lock.json) into DIR; the fixture every deploy check needs.
#
#   npm_tools.sh DIR
#
# Debian 12 has no Kubernetes schema validator and no Dockerfile linter, so these come
# from npm: kubernetes-models (+ gateway-api, traefik) validate manifests against the
# OpenAPI schemas; typescript checks them against the same package's types to catch
# misspelt fields (the schemas allow unknown ones); yaml parses; dockerfilelint and
# dockerfile-utils lint the Dockerfile. A stamp of the lock file's hash makes reruns free.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
dir=${1:?usage: npm_tools.sh DIR}
mkdir -p "$dir"

want=$(sha256sum "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-64)
if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ] && [ -d "$dir/node_modules" ]; then
  echo "npm tools up to date in $dir"
  exit 0
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (Node.js 20 and npm are part of this machine image)" >&2; exit 1; }
done

rm -rf "$dir/node_modules" "$dir/.stamp"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
# Some of these packages declare node >= 22 and work on the image's Node 20 (the checks
# that use them fail loudly otherwise): npm's engine warnings are noise here.
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" >"$dir/.stamp"
echo "npm tools installed in $dir: $(cd "$dir" && npm ls --depth=0 --parseable | tail -n +2 | xargs -n1 basename | tr '\n' ' ')"
