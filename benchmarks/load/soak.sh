#!/usr/bin/env bash
# The soak: Resolver alone on core 1 for $SOAK_SECONDS s (default 600) at about half of its peak q/s, a mix of
# 70 % cached names (queries.txt), 20 % cached NXDOMAIN (1,000 names) and 10 % names never asked before (each
# a miss to an upstream), forwarding to two NSDs on core 0 with dnsperf. Halfway the first NSD is stopped and,
# 10 s later, started again. The cache is bounded at $CACHE_MB MiB so it fills during the warm-up: from then
# on the resident set must stay flat. Prints the peak and the rate used, dnsperf's summary (lost queries,
# response codes), the resident set every $SAMPLE_SECONDS s, and the lines the resolver logged at error level.
# Needs: dnsperf nsd (apt-get install -y dnsperf nsd) and a Release build: dotnet build -c Release src/Resolver
# Bounded: dnsperf stops after $SOAK_SECONDS s; every process started here is stopped by PID on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
WARM_SECONDS="${WARM_SECONDS:-60}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-30}"
CACHE_MB="${CACHE_MB:-16}"
NSD_PORT=25754 NSD2_PORT=25757 RESOLVER_PORT=25753 ADMIN_PORT=25780
. "$here/peers.sh"

cp "$here/test.example.zone" "$work/"
nsd_config test.example test.example.zone "  rrl-ratelimit: 0"
mv "$work/nsd.conf" "$work/nsd1.conf"
NSD_PORT=$NSD2_PORT nsd_config test.example test.example.zone "  rrl-ratelimit: 0"
sed -i "s|$work/nsd.pid|$work/nsd2.pid|; s|$work/nsd.log|$work/nsd2.log|; s|$work/xfrd.state|$work/xfrd2.state|; s|$work/zone.list|$work/zone2.list|" "$work/nsd.conf"
mv "$work/nsd.conf" "$work/nsd2.conf"
taskset -c 0 nsd -c "$work/nsd1.conf" -d & pids+=($!)
nsd1=$!
taskset -c 0 nsd -c "$work/nsd2.conf" -d & pids+=($!)

UPSTREAM_PORTS="$NSD_PORT $NSD2_PORT" resolver_config "{ \"SnapshotPath\": \"\", \"MaxBytes\": $((CACHE_MB * 1024 * 1024)) }"
taskset -c 1 dotnet "$repo/src/Resolver/bin/Release/net10.0/Resolver.dll" --config "$work/resolver.json" > "$work/resolver.log" 2>&1 & pids+=($!)
resolver=$!
sleep 5

mix() { # prefix lines: 7 cached, 2 negative, 1 new name in every 10
  awk -v p="$1" -v n="$2" -v q="$here/queries.txt" 'BEGIN {
    while ((getline line < q) > 0) hot[h++] = line
    for (i = 0; i < n; i++) {
      k = i % 10
      if (k < 7) print hot[i % h]
      else if (k < 9) printf "neg%d.test.example A\n", i % 1000
      else printf "%s%d.test.example A\n", p, i
    }}'
}
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$resolver/status"; }

# The peak of this mix, then half of it for the soak.
mix peak- 2000000 > "$work/peak.txt"
taskset -c 0 dnsperf -s 127.0.0.1 -p "$RESOLVER_PORT" -d "$work/peak.txt" -q 100 -l 15 -c 20 -t 5 > "$work/peak.out" 2>&1 || true
peak=$(awk '/Queries per second/ {printf "%.0f", $4}' "$work/peak.out")
rate="${RATE:-$((peak / 2))}"
echo "peak of the mix: $peak q/s; soak at $rate q/s for $SOAK_SECONDS s (warm-up $WARM_SECONDS s), cache bounded at $CACHE_MB MiB"

mix w- $((rate * WARM_SECONDS)) > "$work/warm.txt"
taskset -c 0 dnsperf -s 127.0.0.1 -p "$RESOLVER_PORT" -d "$work/warm.txt" -Q "$rate" -n 1 -c 20 -t 5 > /dev/null 2>&1 || true
echo "rss after warm-up: $(rss_mib) MiB"

mix s- $((rate * SOAK_SECONDS + rate)) > "$work/soak.txt"
taskset -c 0 dnsperf -s 127.0.0.1 -p "$RESOLVER_PORT" -d "$work/soak.txt" -Q "$rate" -l "$SOAK_SECONDS" -c 20 -t 5 > "$work/soak.out" 2>&1 &
pids+=($!)
dnsperf_pid=$!
samples=()
for ((t = SAMPLE_SECONDS; t <= SOAK_SECONDS; t += SAMPLE_SECONDS)); do
  sleep "$SAMPLE_SECONDS"
  if ((t - SAMPLE_SECONDS < SOAK_SECONDS / 2 && t >= SOAK_SECONDS / 2)); then
    kill "$nsd1"; wait "$nsd1" 2>/dev/null || true
    echo "t=${t}s: first NSD stopped"
    sleep 10
    taskset -c 0 nsd -c "$work/nsd1.conf" -d & pids+=($!)
    nsd1=$!
    echo "t=$((t + 10))s: first NSD started again"
  fi
  samples+=("$(rss_mib)")
  echo "t=${t}s rss $(rss_mib) MiB"
done
wait "$dnsperf_pid" || true

grep -E "Queries (sent|completed|lost)|Response codes|Queries per second|Average Latency" "$work/soak.out"
printf '%s\n' "${samples[@]}" | sort -n | awk '{v[NR] = $1} END {printf "rss over the soak: min %.1f, max %.1f MiB (growth %.1f %%)\n", v[1], v[NR], (v[NR] - v[1]) * 100 / v[1]}'
errors=$(grep -cE "^(fail|crit):" "$work/resolver.log" || true)
echo "lines logged at error level or above: $errors"
grep -E -A3 "^(fail|crit):" "$work/resolver.log" | head -40 || true
