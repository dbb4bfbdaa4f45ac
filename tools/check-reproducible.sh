#!/usr/bin/env bash
# Builds the published modules twice from clean and fails when any jar differs: a release built
# from a tag must be byte-identical to the one a user can build (project.build.outputTimestamp).
set -euo pipefail
cd "$(dirname "$0")/.."
published=(billing-embedded billing-core billing-testkit billing-cli billing-spring-starter billing-spring-boot3-starter)
modules="$(IFS=,; echo "${published[*]}")"
build() {
  ./mvnw -B -q clean package -DskipTests -Dspotless.check.skip=true -pl "$modules" >/dev/null
  find "${published[@]/%//target}" -maxdepth 1 -name '*.jar' ! -name 'original-*' -print0 | sort -z | xargs -0 sha256sum
}
first="$(build)"
second="$(build)"
if [ "$first" != "$second" ]; then
  echo "not reproducible:" >&2
  diff <(echo "$first") <(echo "$second") >&2 || true
  exit 1
fi
echo "reproducible: $(echo "$first" | wc -l) jars identical across two clean builds"
