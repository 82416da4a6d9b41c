#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine needs to build, run and test the
# project: Debian packages (compiler, gRPC, Protobuf, Abseil, GMP, Asio,
# GoogleTest, netcat, Python gRPC, Go and its gRPC packages, iproute2 for the
# netem test; h2load, matplotlib and valgrind for bench/) and the npm
# packages (buf in tools/, the Node client's libraries in clients/node/).
# Safe to run again: it only installs what is missing. Needs root or sudo for
# the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build g++ pkg-config git
  libgrpc++-dev libgrpc-dev libssl-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev grpc-proto
  libabsl-dev libgmp-dev libasio-dev libgtest-dev libgmock-dev
  tzdata netcat-openbsd python3 python3-grpcio python3-venv openssl
  golang-go golang-google-grpc-dev golang-goprotobuf-dev protoc-gen-go-grpc
  clang-14 libclang-rt-14-dev libcpp-httplib-dev curl python3-yaml systemd
  libsystemd-dev help2man lintian dpkg-dev file
  prometheus prometheus-cpp-dev libbenchmark-dev iproute2
  nghttp2-client python3-matplotlib valgrind
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

# npm packages pinned by lock files: buf (lint, curl) in tools/, the Node
# client's gRPC libraries in clients/node/. npm ci rejects tools' lock file
# (npm leaves the other platforms' optional buf binaries out of it); "install
# --no-save" still installs exactly the locked versions.
for dir in tools clients/node; do
  if [[ ! -d "$dir/node_modules" ]] ||
     ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.src" 2>/dev/null; then
    echo "setup: installing npm packages in $dir ($dir/package-lock.json)"
    (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error </dev/null)
    cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.src"
  fi
done
echo "setup: ready"
