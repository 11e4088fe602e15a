#!/usr/bin/env bash
# Cached-answer load test: Resolver vs Unbound, both forwarding to one NSD, all on loopback.
# Each server is warmed, then dnsperf runs for $SECONDS_PER_RUN seconds against it, alternating
# for $ROUNDS rounds (a shared machine is noisy). Reports queries/s and server CPU (user+sys) per
# 1000 answers, read from /proc, per run and as median ratios Resolver/Unbound.
# Needs: dnsperf nsd unbound (apt-get install -y dnsperf nsd unbound) and a Release build:
#   dotnet build -c Release src/Resolver
# Bounded: each run stops by itself; every process started here is stopped by PID on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
ROUNDS="${ROUNDS:-3}"
CLIENTS="${CLIENTS:-20}"
NSD_PORT=25354 RESOLVER_PORT=25353 UNBOUND_PORT=25355 ADMIN_PORT=25380
. "$here/peers.sh"

cp "$here/test.example.zone" "$work/"
nsd_config test.example test.example.zone
nsd -c "$work/nsd.conf" -d & pids+=($!)

unbound_config 2
unbound -d -c "$work/unbound.conf" & pids+=($!)

resolver_config
DOTNET_TieredPGO=1 dotnet "$repo/src/Resolver/bin/Release/net10.0/Resolver.dll" --config "$work/resolver.json" > "$work/resolver.log" 2>&1 & pids+=($!)
resolver_pid=$!
unbound_pid=${pids[1]}
sleep 4

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # name port pid
  local name=$1 port=$2 pid=$3
  dnsperf -s 127.0.0.1 -p "$port" -d "$here/queries.txt" -l 3 -c "$CLIENTS" -q 200 > /dev/null # warm the cache (and the JIT)
  local before; before=$(cpu_ticks "$pid")
  dnsperf -s 127.0.0.1 -p "$port" -d "$here/queries.txt" -l "$SECONDS_PER_RUN" -c "$CLIENTS" -q 200 > "$work/$name.txt"
  local after; after=$(cpu_ticks "$pid")
  local qps completed
  qps=$(awk '/Queries per second/ {print $4}' "$work/$name.txt")
  completed=$(awk '/Queries completed/ {print $3}' "$work/$name.txt")
  local hz; hz=$(getconf CLK_TCK)
  local cpu_ms_per_k; cpu_ms_per_k=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$completed" 'BEGIN {printf "%.1f", t / hz * 1000 / (n / 1000)}')
  echo "$name $qps $cpu_ms_per_k $(awk '/Average Latency/ {print $4}' "$work/$name.txt")"
}
printf '%-10s %12s %22s %14s\n' server "queries/s" "CPU ms per 1k answers" "avg latency s"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  unbound_line=$(run unbound $UNBOUND_PORT "$unbound_pid")
  resolver_line=$(run resolver $RESOLVER_PORT "$resolver_pid")
  for line in "$unbound_line" "$resolver_line"; do printf '%-10s %12s %22s %14s\n' $line; done
  ratios+=("$(awk -v r="$resolver_line" -v u="$unbound_line" 'BEGIN {split(r, a, " "); split(u, b, " "); printf "%.3f %.3f", a[2] / b[2], a[3] / b[3]}')")
done
printf '%s\n' "${ratios[@]}" > "$work/ratios"
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
throughput=$(cut -d' ' -f1 "$work/ratios" | median)
cpu=$(cut -d' ' -f2 "$work/ratios" | median)
echo "median ratio Resolver/Unbound over $ROUNDS rounds: throughput $throughput, CPU per answer $cpu"
