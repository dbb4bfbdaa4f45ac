#!/usr/bin/env bash
# The demo's browser test, from a clean machine, with no prompts:
#   examples/spring-boot-app/browser-test/run.sh
# 1. Debian's chromium (apt-get) when /usr/bin/chromium is missing; never a downloaded browser.
# 2. Builds examples/spring-boot-app/target/billing-demo.jar (SKIP_BUILD=1 to use the one there).
#    BILLING_DEMO_JAR tests another jar of the demo, e.g. the Spring Boot 3.5 build:
#      BILLING_DEMO_JAR=examples/spring-boot3-app/target/billing-demo-boot3.jar examples/spring-boot-app/browser-test/run.sh
#    (built from examples/spring-boot3-app unless SKIP_BUILD=1 and the jar is there).
# 3. npm ci (playwright-core, pinned in package-lock.json; it downloads nothing else).
# 4. Runs buy-tokens.test.mjs, then subscribe-and-recharge.test.mjs (subscribing through the hosted Checkout
#    page, and auto-recharge): demo mode on a free port, temporary database, headless Chromium.
# Exit code 0 when every check passed. Screenshots: examples/spring-boot-app/target/screenshots/ (or beside
# BILLING_DEMO_JAR).
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

# The jar under test, relative paths taken from the repository's root; its module is the folder above target/.
jar="${BILLING_DEMO_JAR:-examples/spring-boot-app/target/billing-demo.jar}"
case "$jar" in
  /*) ;;
  *) jar="$root/$jar" ;;
esac
module="${jar#"$root"/}"
module="${module%/target/*}"
export BILLING_DEMO_JAR="$jar"
# Each jar's screenshots beside it: examples/<module>/target/screenshots/.
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$(dirname "$jar")/screenshots}"

if [ "${SKIP_BUILD:-}" != "1" ] || [ ! -f "$jar" ]; then
  echo "[run.sh] building the demo app ($module)"
  cd "$root"
  if grep -q "<module>$module</module>" pom.xml; then
    ./mvnw -q -B -pl "$module" -am package -Dmaven.test.skip=true
  elif [ "$module" != "examples/spring-boot-app" ]; then
    echo "[run.sh] $module is not a module of the root pom; cannot build $jar" >&2
    exit 2
  else
    # Until the example is a module of the root pom: install what it needs, then build it alone.
    ./mvnw -q -B -pl billing-bom,billing-core,billing-testkit,billing-spring-starter -am install -Dmaven.test.skip=true
    ./mvnw -q -B -f examples/spring-boot-app/pom.xml package -Dmaven.test.skip=true
  fi
fi

cd "$here"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
node buy-tokens.test.mjs
exec node subscribe-and-recharge.test.mjs
