#!/usr/bin/env bash
# The load harness: Resolver vs Unbound (1 thread), each alone on core 1, dnsperf and the upstreams on core 0,
# all on loopback, one table per run. Workloads ($MODES, in this order by default):
#   hot       the 10 names of queries.txt, cached, as fast as dnsperf can ask (100 queries outstanding)
#   negative  1,000 names that do not exist, cached NXDOMAIN, as fast as dnsperf can ask
#   miss      names never asked before, as fast as dnsperf can ask: every query goes to NSD
# and the degraded modes, each a steady $RATE new names/s with two upstreams, a misbehaving one first (the
# tests' fake upstream as a process: benchmarks/Resolver.Benchmarks --fake-upstream) and NSD second:
#   healthy (NSD alone), refusing (a closed port), drop (black-holed), slow (+800 ms), servfail, refused,
#   garbage, truncatethenreset (TC=1, then a TCP reset), wrongid, wrongquestion, wrongsource (spoofed), lossy
#   (80 % of UDP answers lost, some TC=1), flapping (every 2 s), cutshort, and all-lossy (two lossy fakes, no NSD).
# Every name outside queries.txt is NXDOMAIN from every upstream. One line per server and mode: q/s, lost,
# SERVFAIL, p99 latency, server CPU µs per query; then the ratios Resolver/Unbound. With ROUNDS=n (default 1) the
# servers take turns n times per mode, each round with names of its own, and the lines hold the medians (lost and
# SERVFAIL: the worst round), followed by each round's CPU ratio: one run's ratio moves a lot on a shared machine. Each server and fake starts
# afresh per mode, so no state carries over, and each is warmed for $WARM_SECONDS s (same mode, other names
# for misses: .NET's tiered JIT needs about that long to reach its steady state on one core, where the
# runtime waits ten times longer before it optimizes) before it is measured for
# $SECONDS_PER_RUN s.
# Needs: dnsperf nsd unbound (apt-get install -y dnsperf nsd unbound) and Release builds:
#   dotnet build -c Release src/Resolver && dotnet build -c Release benchmarks/Resolver.Benchmarks
# Bounded: dnsperf stops after $SECONDS_PER_RUN s per run; every process started here is stopped by PID.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
RATE="${RATE:-2000}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
ROUNDS="${ROUNDS:-1}"
WARM_SECONDS="${WARM_SECONDS:-20}"
MODES="${MODES:-hot negative miss healthy refusing drop slow servfail refused garbage truncatethenreset wrongid wrongquestion wrongsource lossy flapping cutshort all-lossy}"
NSD_PORT=25654 RESOLVER_PORT=25653 UNBOUND_PORT=25655 ADMIN_PORT=25680 FAKE_PORT=25656 FAKE2_PORT=25657 CLOSED_PORT=25658
. "$here/peers.sh"
fake_dll="$repo/benchmarks/Resolver.Benchmarks/bin/Release/net10.0/Resolver.Benchmarks.dll"

cp "$here/test.example.zone" "$work/"
nsd_config test.example test.example.zone "  rrl-ratelimit: 0"
taskset -c 0 nsd -c "$work/nsd.conf" -d & pids+=($!)
sleep 1

started=() # the processes of the current mode, stopped at its end
start() { "$@" & pids+=($!); started+=($!); last=$!; }
stop_mode() {
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${started[@]}"; do wait "$p" 2>/dev/null || true; done
  started=()
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
names() { # prefix count: "prefix1.test.example A" .. "prefixN.test.example A"
  awk -v p="$1" -v n="$2" 'BEGIN {for (i = 1; i <= n; i++) printf "%s%d.test.example A\n", p, i}'
}
measure() { # server port pid mode round: prints "q/s lost servfail p99ms cpu_us"
  local server=$1 port=$2 pid=$3 mode=$4 round=$5
  local load # a steady rate of new names, or as fast as dnsperf can ask
  case $mode in
    hot)
      cp "$here/queries.txt" "$work/names.txt"; cp "$here/queries.txt" "$work/warm.txt"
      load=(-q 100) ;;
    negative)
      names "neg-$server-" 1000 > "$work/names.txt"; cp "$work/names.txt" "$work/warm.txt"
      load=(-q 100) ;;
    miss)
      names "n$round-$mode-$server-" $((60000 * SECONDS_PER_RUN)) > "$work/names.txt"; names "w$round-$mode-$server-" $((60000 * WARM_SECONDS)) > "$work/warm.txt"
      load=(-q 100 -n 1) ;;
    *)
      names "n$round-$mode-$server-" $((RATE * SECONDS_PER_RUN + RATE)) > "$work/names.txt"; names "w$round-$mode-$server-" $((RATE * WARM_SECONDS)) > "$work/warm.txt"
      load=(-Q "$RATE" -n 1) ;;
  esac
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$work/warm.txt" "${load[@]}" -l "$WARM_SECONDS" -c 20 -t 5 > /dev/null 2>&1 || true # the JIT, and the mode's first failures
  local before; before=$(cpu_ticks "$pid")
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$work/names.txt" "${load[@]}" -l "$SECONDS_PER_RUN" -c 20 -t 5 -v > "$work/$server.txt" 2>&1 || true
  local after; after=$(cpu_ticks "$pid")
  local hz; hz=$(getconf CLK_TCK)
  local qps lost completed servfail p99
  qps=$(awk '/Queries per second/ {printf "%.0f", $4}' "$work/$server.txt")
  lost=$(awk '/Queries lost/ {print $3}' "$work/$server.txt")
  completed=$(awk '/Queries completed/ {print $3}' "$work/$server.txt")
  servfail=$(grep -c '^> SERVFAIL' "$work/$server.txt" || true)
  p99=$(awk '/^> [A-Z]/ {print $NF * 1000}' "$work/$server.txt" | sort -n | awk '{v[NR] = $1} END {if (NR) printf "%.1f", v[int(NR * 0.99 + 0.5)]; else print "-"}')
  local cpu; cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$completed" 'BEGIN {if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-"}')
  echo "${qps:-0} ${lost:-?} $servfail $p99 $cpu"
}

median_line() { # lines of "q/s lost servfail p99 cpu": the median of each column (lost and SERVFAIL: the largest)
  awk 'NF {rows++; for (c = 1; c <= 5; c++) v[c, rows] = $c} END {
    for (c = 1; c <= 5; c++) {
      n = 0; for (i = 1; i <= rows; i++) if (v[c, i] != "-") a[++n] = v[c, i] + 0
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {t = a[j]; a[j] = a[j - 1]; a[j - 1] = t}
      if (n == 0) m = "-"; else if (c == 2 || c == 3) m = a[n]
      else m = sprintf(c == 1 ? "%.0f" : "%.1f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
      printf "%s%s", m, (c < 5 ? " " : "\n")
    }}' <<< "$1"
}

printf '%-18s %-9s %9s %7s %9s %9s %11s\n' mode server "q/s" lost SERVFAIL "p99 ms" "CPU us/q"
for mode in $MODES; do
  case $mode in
    hot | negative | miss | healthy) UPSTREAM_PORTS="$NSD_PORT" ;;
    refusing) UPSTREAM_PORTS="$CLOSED_PORT $NSD_PORT" ;;
    all-lossy) UPSTREAM_PORTS="$FAKE_PORT $FAKE2_PORT" ;;
    *) UPSTREAM_PORTS="$FAKE_PORT $NSD_PORT" ;;
  esac
  case $mode in
    hot | negative | miss | healthy | refusing) ;;
    all-lossy)
      start taskset -c 0 dotnet "$fake_dll" --fake-upstream lossy "$FAKE_PORT" > "$work/fake.log" 2>&1
      start taskset -c 0 dotnet "$fake_dll" --fake-upstream lossy "$FAKE2_PORT" > "$work/fake2.log" 2>&1 ;;
    *) start taskset -c 0 dotnet "$fake_dll" --fake-upstream "$mode" "$FAKE_PORT" > "$work/fake.log" 2>&1 ;;
  esac
  unbound_config 1 '  local-zone: "test.example." nodefault'
  start taskset -c 1 unbound -d -c "$work/unbound.conf"
  unbound_pid=$last
  resolver_config '{ "SnapshotPath": "" }'
  start taskset -c 1 dotnet "$repo/src/Resolver/bin/Release/net10.0/Resolver.dll" --config "$work/resolver.json" > "$work/resolver.log" 2>&1
  resolver_pid=$last
  sleep 4
  unbound_lines="" resolver_lines="" round_ratios=""
  for round in $(seq 1 "$ROUNDS"); do # the servers take turns; each round asks names of its own
    u=$(measure unbound $UNBOUND_PORT "$unbound_pid" "$mode" "$round")
    r=$(measure resolver $RESOLVER_PORT "$resolver_pid" "$mode" "$round")
    unbound_lines+="$u"$'\n' resolver_lines+="$r"$'\n'
    round_ratios+=" $(awk -v r="$r" -v u="$u" 'BEGIN {split(r, a, " "); split(u, b, " "); print (b[5] > 0 ? sprintf("%.2f", a[5] / b[5]) : "-")}')"
  done
  unbound_line=$(median_line "$unbound_lines")
  resolver_line=$(median_line "$resolver_lines")
  printf '%-18s %-9s %9s %7s %9s %9s %11s\n' "$mode" unbound $unbound_line
  printf '%-18s %-9s %9s %7s %9s %9s %11s\n' "$mode" resolver $resolver_line
  awk -v r="$resolver_line" -v u="$unbound_line" -v m="$mode" 'BEGIN {split(r, a, " "); split(u, b, " ");
    printf "%-18s %-9s %9s %7s %9s %9s %11s\n", m, "ratio", (b[1] > 0 ? sprintf("%.2f", a[1] / b[1]) : "-"), "", "",
      (b[4] > 0 ? sprintf("%.2f", a[4] / b[4]) : "-"), (b[5] > 0 ? sprintf("%.2f", a[5] / b[5]) : "-")}'
  if [ "$ROUNDS" -gt 1 ]; then
    printf '%-18s %-9s %s\n' "$mode" rounds "CPU ratio per round:$round_ratios (median $(tr ' ' '\n' <<< "$round_ratios" | grep -v -e '^$' -e '^-$' | sort -n | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : sprintf("%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2)}'))"
  fi
  stop_mode
done
