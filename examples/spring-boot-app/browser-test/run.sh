#!/usr/bin/env bash
# The demo's browser test, from a clean machine, with no prompts:
#   examples/spring-boot-app/browser-test/run.sh
# 1. Debian's chromium (apt-get) when /usr/bin/chromium is missing; never a downloaded browser.
# 2. Builds examples/spring-boot-app/target/billing-demo.jar (SKIP_BUILD=1 to use the one there).
# 3. npm ci (playwright-core, pinned in package-lock.json; it downloads nothing else).
# 4. Runs buy-tokens.test.mjs: demo mode on a free port, temporary database, headless Chromium.
# Exit code 0 when every check passed. Screenshots: examples/spring-boot-app/target/screenshots/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "[run.sh] installing Debian's chromium"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "[run.sh] installing Node.js and npm"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "[run.sh] playwright-core needs Node.js 20 or later; this is $(node --version)" >&2
  exit 2
fi

if [ "${SKIP_BUILD:-}" != "1" ] || [ ! -f "$root/examples/spring-boot-app/target/billing-demo.jar" ]; then
  echo "[run.sh] building the demo app"
  cd "$root"
  if grep -q '<module>examples/spring-boot-app</module>' pom.xml; then
    ./mvnw -q -B -pl examples/spring-boot-app -am package -Dmaven.test.skip=true
  else
    # Until the example is a module of the root pom: install what it needs, then build it alone.
    ./mvnw -q -B -pl billing-bom,billing-core,billing-testkit,billing-spring-starter -am install -Dmaven.test.skip=true
    ./mvnw -q -B -f examples/spring-boot-app/pom.xml package -Dmaven.test.skip=true
  fi
fi

cd "$here"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
exec node buy-tokens.test.mjs
