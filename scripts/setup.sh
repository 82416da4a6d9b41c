#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine needs to build, run and test the
# project: Debian packages (compiler, gRPC, Protobuf, Abseil, GMP, Asio,
# GoogleTest, netcat, Python gRPC) and the npm tools in tools/ (buf).
# Safe to run again: it only installs what is missing. Needs root or sudo for
# the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build g++ pkg-config git
  libgrpc++-dev libgrpc-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev grpc-proto
  libabsl-dev libgmp-dev libasio-dev libgtest-dev libgmock-dev
  tzdata netcat-openbsd python3 python3-grpcio
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# buf (lint, curl), pinned by tools/package-lock.json.
if [[ ! -x tools/node_modules/.bin/buf ]] ||
   ! cmp -s tools/package-lock.json tools/node_modules/.package-lock.json.src 2>/dev/null; then
  echo "setup: installing npm tools (tools/package-lock.json)"
  # npm ci rejects this lock file: npm leaves the other platforms' optional buf
  # binaries out of it. "install --no-save" still installs the locked versions.
  (cd tools && npm install --no-save --no-audit --no-fund --loglevel=error </dev/null)
  cp tools/package-lock.json tools/node_modules/.package-lock.json.src
fi
echo "setup: ready"
