#!/usr/bin/env bash
# Memory per cached entry: Resolver vs Unbound, each started alone on core 1, both forwarding to one NSD
# that answers every name under fill.test (a wildcard A record, ~85 bytes on the wire). Each server is
# warmed with 1,000 names, then filled with $NAMES distinct names by dnsperf on core 0; the growth of its
# resident set (VmRSS) divided by the names is the figure. Unbound gets caches large enough to keep them all.
# Needs: dnsperf nsd unbound (apt-get install -y dnsperf nsd unbound) and a Release build:
#   dotnet build -c Release src/Resolver
# Bounded: dnsperf sends each name once; every process started here is stopped by PID on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
NAMES="${NAMES:-200000}"
NSD_PORT=25454 RESOLVER_PORT=25453 UNBOUND_PORT=25455 ADMIN_PORT=25480
. "$here/peers.sh"

cat > "$work/fill.test.zone" <<ZONE
\$ORIGIN fill.test.
\$TTL 86400
@  IN SOA ns.fill.test. hostmaster.fill.test. 1 7200 900 1209600 300
@  IN NS  ns.fill.test.
ns IN A   192.0.2.53
*  IN A   192.0.2.1
ZONE
nsd_config fill.test fill.test.zone "  rrl-ratelimit: 0"
taskset -c 0 nsd -c "$work/nsd.conf" -d & pids+=($!)

unbound_config 1 '  local-zone: "test." nodefault
  msg-cache-size: 512m
  rrset-cache-size: 512m'
taskset -c 1 unbound -d -c "$work/unbound.conf" & pids+=($!)
unbound_pid=$!

resolver_config '{ "MaxBytes": 1073741824, "SnapshotPath": "" }'
taskset -c 1 dotnet "$repo/src/Resolver/bin/Release/net10.0/Resolver.dll" --config "$work/resolver.json" > "$work/resolver.log" 2>&1 & pids+=($!)
resolver_pid=$!
sleep 4

for i in $(seq 1 1000); do echo "warm$i.fill.test A"; done > "$work/warm.txt"
for i in $(seq 1 "$NAMES"); do echo "n$i.fill.test A"; done > "$work/names.txt"
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
fill() { # name port pid
  local name=$1 port=$2 pid=$3
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$work/warm.txt" -n 1 -c 10 -Q 5000 > /dev/null
  sleep 2
  local before; before=$(rss_kb "$pid")
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$work/names.txt" -n 1 -c 10 -Q 10000 > "$work/$name.txt"
  sleep 5 # let a garbage collection or two settle
  local after; after=$(rss_kb "$pid")
  local completed; completed=$(awk '/Queries completed/ {print $3}' "$work/$name.txt")
  awk -v b="$before" -v a="$after" -v n="$NAMES" -v c="$completed" -v s="$name" \
    'BEGIN {printf "%-10s RSS %7.1f -> %7.1f MiB, %6.0f bytes per entry (%d of %d answered)\n", s, b / 1024, a / 1024, (a - b) * 1024 / n, c, n}'
  grep "Response codes" "$work/$name.txt" | sed "s/^ */  $name: /"
}
fill unbound $UNBOUND_PORT "$unbound_pid" | tee "$work/unbound.line"
fill resolver $RESOLVER_PORT "$resolver_pid" | tee "$work/resolver.line"
curl -s -H "Authorization: Bearer $(cat "$work/admin-token")" "http://127.0.0.1:$ADMIN_PORT/api/v1/cache/stats"; echo
awk '{for (i = 1; i <= NF; i++) if ($i == "bytes") print $(i - 1)}' "$work/unbound.line" "$work/resolver.line" |
  paste -sd' ' | awk '{printf "Resolver/Unbound bytes per entry: %.2f\n", $2 / $1}'
