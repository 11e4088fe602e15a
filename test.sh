#!/usr/bin/env bash
# Runs every test. The end-to-end tests (tests/Resolver.EndToEnd) drive dig, kdig and NSD, the metrics and alert
# checks promtool, the unit file check systemd-analyze, the fleet test dnsdist, and the console's browser tests
# chromium (headless, driven by Playwright): whichever is missing is installed first (Debian packages; apt-get needs root).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dig >/dev/null || ! command -v kdig >/dev/null || ! PATH="$PATH:/usr/sbin:/sbin" command -v nsd >/dev/null \
  || ! command -v promtool >/dev/null || ! command -v systemd-analyze >/dev/null || ! command -v dnsdist >/dev/null \
  || ! command -v chromium >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y dnsutils knot-dnsutils nsd prometheus systemd dnsdist chromium
fi

exec dotnet test Resolver.sln "$@"
