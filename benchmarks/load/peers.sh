# Shared by compare.sh and memory.sh (sourced): a work directory removed on exit, the processes started
# (stopped by PID on exit), and the configuration of the three servers, all on loopback.
#   nsd_config ZONE ZONEFILE [EXTRA]            writes $work/nsd.conf for NSD on $NSD_PORT
#   unbound_config THREADS [EXTRA]              writes $work/unbound.conf: Unbound on $UNBOUND_PORT forwarding to the upstreams
#   resolver_config [CACHE_JSON]                writes $work/resolver.json: Resolver on $RESOLVER_PORT forwarding to the upstreams
# The upstreams are the loopback ports in $UPSTREAM_PORTS, in order (default: NSD alone).
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

nsd_config() {
  cat > "$work/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$work"
  pidfile: "$work/nsd.pid"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  logfile: "$work/nsd.log"
${3:-}
remote-control:
  control-enable: no
zone:
  name: $1
  zonefile: $2
CONF
}

unbound_config() {
  cat > "$work/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@$UNBOUND_PORT
  port: $UNBOUND_PORT
  num-threads: $1
  so-reuseport: yes
  username: ""
  chroot: ""
  directory: "$work"
  pidfile: "$work/unbound.pid"
  use-syslog: no
  logfile: "$work/unbound.log"
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  verbosity: 0
${2:-}
forward-zone:
  name: "."
$(for port in ${UPSTREAM_PORTS:-$NSD_PORT}; do echo "  forward-addr: 127.0.0.1@$port"; done)
CONF
}

resolver_config() {
  local cache=""
  if [ -n "${1:-}" ]; then cache="\"Cache\": $1,"; fi
  cat > "$work/resolver.json" <<CONF
{
  "Dns": { "Listen": [ "127.0.0.1:$RESOLVER_PORT" ] },
  "Upstreams": { "Servers": [ $(for port in ${UPSTREAM_PORTS:-$NSD_PORT}; do echo "{ \"Address\": \"127.0.0.1:$port\" }"; done | paste -sd, -) ] },
  $cache
  "Admin": { "Urls": "http://127.0.0.1:$ADMIN_PORT", "TokenFile": "$work/admin-token" },
  "Logging": { "LogLevel": { "Default": "Warning" } }
}
CONF
}
