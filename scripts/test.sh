#!/usr/bin/env bash
# Sets up the machine, builds, and runs every test: the C++ unit and
# in-process tests and the end-to-end tests (CTest), and buf lint on proto/.
#   scripts/test.sh            # everything
#   scripts/test.sh -R square  # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh default

echo "== buf lint"
(cd proto && ../tools/node_modules/.bin/buf lint) && echo "buf lint: clean"

echo "== ctest"
ctest --preset default "$@"
