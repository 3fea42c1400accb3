#!/usr/bin/env bash
# Installs the Debian packages that quoter's build, tests, fuzzers and charts need.
# Runs apt-get when root; otherwise prints the exact command to run.
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev zlib1g-dev libdeflate-dev
      libcjson-dev libinih-dev libcmocka-dev gnuplot-nox libssl-dev libwebsockets-dev libsqlite3-dev curl
      sqlite3 openssl)  # the command-line tools the live tests use to read a journal and sign requests
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the official Binance connector test; the image may bring its own
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: missing packages; run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
