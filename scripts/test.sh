#!/usr/bin/env bash
# Sets up the machine, builds, and runs every test:
#   1. buf lint, and buf breaking against the previous commit (skipped, with
#      a message, on a clone without one, e.g. shallow);
#   2. the whole CTest suite (units, in-process, end-to-end, clients, the
#      conformance kit where ../shared is present) on the default build;
#   3. the whole suite again on an AddressSanitizer + UBSan build (but the
#      install and .deb tests, label "install": packaging is the same);
#   4. the concurrency tests of both processes on a ThreadSanitizer build;
#   5. a short run of each libFuzzer target (clang build).
#   scripts/test.sh                 # everything (what CI runs)
#   SOCKRPC_QUICK=1 scripts/test.sh # steps 1-2 only
#   scripts/test.sh -R square       # extra arguments go to every ctest call
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh default

buf=tools/node_modules/.bin/buf
echo "== buf lint"
"$buf" lint && echo "buf lint: clean"
echo "== buf breaking"
# subdir=proto: the module's files have the same paths whether the commit
# keeps buf.yaml at the root or (before 0.1.0) in proto/.
if git rev-parse --verify --quiet 'HEAD~1^{commit}' >/dev/null; then
  "$buf" breaking --against '.git#ref=HEAD~1,subdir=proto' &&
    echo "buf breaking: no breaking change since HEAD~1"
else
  echo "buf breaking: skipped, no previous commit in this clone (shallow or first commit)"
fi

echo "== tests (default build)"
ctest --preset default "$@"
[[ "${SOCKRPC_QUICK:-0}" == 1 ]] && exit 0

echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer build)"
scripts/build.sh asan
ctest --preset asan "$@"

echo "== concurrency tests (ThreadSanitizer build)"
scripts/build.sh tsan
ctest --preset tsan "$@"

echo "== fuzz targets, short runs (clang, libFuzzer)"
scripts/build.sh fuzz
ctest --preset fuzz "$@"
