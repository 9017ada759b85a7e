#!/usr/bin/env bash
# Local S3 server for s3lync integration tests.
#
# Runs OpenStack Swift (Debian packages) with its s3api middleware on loopback:
# memcached + account + container + object + proxy servers, 1 replica, 1 device.
# All config, rings, data, pid files and logs live in a private state dir; the
# only file outside it that Swift reads is /etc/swift/swift.conf (the swift
# package ships it; it is written here only when absent).
#
# Usage: bash scripts/s3-server.sh install|start|stop|restart|status|env|logs|clean
#   install  apt-get install the packages when missing (no-op otherwise)
#   start    install if needed, configure, start, wait until S3 answers; prints
#            one line on stdout: endpoint=http://127.0.0.1:PORT (idempotent)
#   stop     stop every process started from the state dir (idempotent)
#   status   exit 0 and print the endpoint when running, exit 1 otherwise
#   env      print export lines for the test suite
#   logs     print the tail of every log file
#   clean    stop, then delete the state dir (all stored objects)
#
# Environment:
#   S3LYNC_S3_DIR        state dir (default /tmp/s3lync-s3-server)
#   S3LYNC_S3_PORT       S3 (proxy) port (default 18080); object, container,
#                        account and memcached use PORT+1 .. PORT+4
#   S3LYNC_S3_LOG_LEVEL  Swift log level (default WARNING; INFO logs requests)
#   S3LYNC_S3_ACCESS_LOG_UDP  a UDP port on 127.0.0.1: every request's access-log line
#                        ("METHOD PATH?QUERY STATUS SOURCE", URL-quoted) is sent there (the
#                        benchmark counts requests this way, with nothing in the data path)
#   S3LYNC_S3_TIMEOUT    seconds to wait for startup (default 60)
#
# S3 access: path-style, region us-east-1, access key test:tester, secret testing
# (more accounts: test2:tester2 / testing2, and vault:keeper with a distinctive secret that
# the secret-leak tests grep for).

set -euo pipefail

STATE_DIR=${S3LYNC_S3_DIR:-/tmp/s3lync-s3-server}
PORT=${S3LYNC_S3_PORT:-18080}
LOG_LEVEL=${S3LYNC_S3_LOG_LEVEL:-WARNING}
ACCESS_LOG_UDP=${S3LYNC_S3_ACCESS_LOG_UDP:-}
START_TIMEOUT=${S3LYNC_S3_TIMEOUT:-60}

HOST=127.0.0.1
REGION=us-east-1
ACCESS_KEY=test:tester
SECRET_KEY=testing
PACKAGES=(swift-proxy swift-account swift-container swift-object memcached)
SWIFT_CONF=/etc/swift/swift.conf
SERVICES=(memcached account container object proxy)

log() { printf 's3-server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if ! [[ $PORT =~ ^[1-9][0-9]*$ ]] || ((PORT < 1024 || PORT > 65530)); then
  die "S3LYNC_S3_PORT must be a port number between 1024 and 65530 (got '$PORT')"
fi
if [[ -n $ACCESS_LOG_UDP ]] && { ! [[ $ACCESS_LOG_UDP =~ ^[1-9][0-9]*$ ]] || ((ACCESS_LOG_UDP > 65535)); }; then
  die "S3LYNC_S3_ACCESS_LOG_UDP must be a UDP port number (got '$ACCESS_LOG_UDP')"
fi
[[ $START_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "S3LYNC_S3_TIMEOUT must be a number of seconds"
[[ $STATE_DIR == /* ]] || STATE_DIR="$PWD/$STATE_DIR"
STATE_DIR=${STATE_DIR%/}

OBJECT_PORT=$((PORT + 1))
CONTAINER_PORT=$((PORT + 2))
ACCOUNT_PORT=$((PORT + 3))
MEMCACHED_PORT=$((PORT + 4))
ENDPOINT="http://$HOST:$PORT"

ETC_DIR="$STATE_DIR/etc"
SRV_DIR="$STATE_DIR/srv"
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/log"

if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=python3; fi

# ---------------------------------------------------------------- helpers ----

service_port() {
  case $1 in
    proxy) echo "$PORT" ;;
    object) echo "$OBJECT_PORT" ;;
    container) echo "$CONTAINER_PORT" ;;
    account) echo "$ACCOUNT_PORT" ;;
    memcached) echo "$MEMCACHED_PORT" ;;
  esac
}

# Python helper (stdlib only) for network probes; never goes through a proxy.
probe() {
  "$PY" - "$@" <<'PYEOF'
import datetime, hashlib, hmac, os, socket, sys, urllib.request

mode, args = sys.argv[1], sys.argv[2:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with opener.open(req, timeout=5) as resp:
        return resp.status, resp.read()

def sign_v4_get(host, region, key, secret):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
    payload = hashlib.sha256(b'').hexdigest()
    signed = 'host;x-amz-content-sha256;x-amz-date'
    canonical = '\n'.join(['GET', '/', '',
                           'host:%s\nx-amz-content-sha256:%s\nx-amz-date:%s\n'
                           % (host, payload, amz_date), signed, payload])
    scope = '%s/%s/s3/aws4_request' % (day, region)
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ('AWS4' + secret).encode()
    for part in (day, region, 's3', 'aws4_request'):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return {'x-amz-date': amz_date, 'x-amz-content-sha256': payload,
            'Authorization': 'AWS4-HMAC-SHA256 Credential=%s/%s, '
            'SignedHeaders=%s, Signature=%s' % (key, scope, signed, sig)}

try:
    if mode == 'health':          # ports...: GET /healthcheck must say OK
        for port in args:
            status, body = get('http://127.0.0.1:%s/healthcheck' % port)
            if status != 200 or body.strip() != b'OK':
                raise RuntimeError('port %s healthcheck: %s %r' % (port, status, body[:200]))
    elif mode == 'memcached':     # port: answers "version"
        s = socket.create_connection(('127.0.0.1', int(args[0])), timeout=3)
        s.sendall(b'version\r\n')
        if not s.recv(100).startswith(b'VERSION'):
            raise RuntimeError('memcached did not answer')
    elif mode == 's3':            # port region key secret: signed ListBuckets
        host = '127.0.0.1:%s' % args[0]
        status, body = get('http://%s/' % host, sign_v4_get(host, *args[1:4]))
        if status != 200 or b'ListAllMyBucketsResult' not in body:
            raise RuntimeError('S3 ListBuckets: %s %r' % (status, body[:300]))
    elif mode == 'ports-free':    # ports...: all bindable on loopback
        busy = []
        for port in args:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(('127.0.0.1', int(port)))
            except OSError:
                busy.append(port)
            finally:
                s.close()
        if busy:
            raise RuntimeError('port(s) already in use: ' + ' '.join(busy))
    elif mode == 'xattr':         # dir: supports user xattrs (Swift needs them)
        path = os.path.join(args[0], '.xattr-test')
        open(path, 'w').close()
        try:
            os.setxattr(path, 'user.swift.test', b'1')
        finally:
            os.unlink(path)
    else:
        raise RuntimeError('unknown probe ' + mode)
except Exception as e:
    print('%s: %s' % (type(e).__name__, e), file=sys.stderr)
    sys.exit(1)
PYEOF
}

take_lock() {
  mkdir -p "$STATE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE_DIR/lock"
    flock -w 120 9 || die "could not lock $STATE_DIR/lock"
  fi
}

# ------------------------------------------------------------ packages ----

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    if command -v dpkg-query >/dev/null 2>&1; then
      [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || echo "$p"
    fi
  done
  command -v swift-proxy-server >/dev/null 2>&1 || echo swift-proxy
  command -v swift-ring-builder >/dev/null 2>&1 || echo swift-proxy
  command -v memcached >/dev/null 2>&1 || echo memcached
}

cmd_install() {
  local missing sudo=()
  mapfile -t missing < <(missing_packages | sort -u)
  if ((${#missing[@]} == 0)); then
    [[ ${1:-} == --quiet ]] || log "packages already installed: ${PACKAGES[*]}"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "missing packages (${missing[*]}) and apt-get is not available; install OpenStack Swift + memcached by hand"
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      die "missing packages (${missing[*]}); run as root (or with passwordless sudo) to install them"
    fi
  fi
  log "installing ${missing[*]} (apt-get update + install)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
    die "apt-get update failed"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
  mapfile -t missing < <(missing_packages | sort -u)
  ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}"
}

# -------------------------------------------------------------- config ----

ensure_swift_conf() {
  if [[ -f $SWIFT_CONF ]]; then
    grep -Eq '^[[:space:]]*swift_hash_path_(suffix|prefix)[[:space:]]*=[[:space:]]*[^[:space:]]' "$SWIFT_CONF" ||
      die "$SWIFT_CONF has no [swift-hash] swift_hash_path_suffix/prefix; add one"
    return 0
  fi
  log "writing $SWIFT_CONF (absent)"
  mkdir -p "$(dirname "$SWIFT_CONF")" || die "cannot create $(dirname "$SWIFT_CONF") (run as root)"
  cat >"$SWIFT_CONF" <<EOF || die "cannot write $SWIFT_CONF (run as root)"
[swift-hash]
swift_hash_path_suffix = s3lync-test-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')

[storage-policy:0]
name = Policy-0
default = yes
EOF
}

write_configs() {
  local user name port
  user=$(id -un)
  mkdir -p "$ETC_DIR" "$SRV_DIR/d1" "$RUN_DIR" "$LOG_DIR"
  for name in account container object proxy; do
    port=$(service_port "$name")
    cat >"$ETC_DIR/$name-server.conf" <<EOF
# generated by scripts/s3-server.sh; rewritten on every (re)start
[DEFAULT]
bind_ip = $HOST
bind_port = $port
bind_timeout = 10
workers = 0
user = $user
swift_dir = $ETC_DIR
devices = $SRV_DIR
mount_check = false
disable_fallocate = true
log_name = $name-server
log_level = $LOG_LEVEL

EOF
  done

  cat >>"$ETC_DIR/account-server.conf" <<EOF
[pipeline:main]
pipeline = healthcheck account-server

[app:account-server]
use = egg:swift#account

[filter:healthcheck]
use = egg:swift#healthcheck
EOF

  cat >>"$ETC_DIR/container-server.conf" <<EOF
[pipeline:main]
pipeline = healthcheck container-server

[app:container-server]
use = egg:swift#container

[filter:healthcheck]
use = egg:swift#healthcheck
EOF

  cat >>"$ETC_DIR/object-server.conf" <<EOF
[pipeline:main]
pipeline = healthcheck object-server

[app:object-server]
use = egg:swift#object

[filter:healthcheck]
use = egg:swift#healthcheck
EOF

  cat >>"$ETC_DIR/proxy-server.conf" <<EOF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = $REGION

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = $SECRET_KEY .admin
user_test2_tester2 = testing2 .admin
user_vault_keeper = Vq7-s3lync-distinctive-secret-4e9 .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = $HOST:$MEMCACHED_PORT

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging
$(if [[ -n $ACCESS_LOG_UDP ]]; then
    printf 'access_log_udp_host = %s\naccess_log_udp_port = %s\naccess_log_level = INFO\n' "$HOST" "$ACCESS_LOG_UDP"
    printf 'log_msg_template = {method} {path} {status_int} {source}\n'
  fi)

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
EOF
}

build_rings() {
  local stamp="$OBJECT_PORT $CONTAINER_PORT $ACCOUNT_PORT"
  if [[ -f $ETC_DIR/rings.stamp && $(<"$ETC_DIR/rings.stamp") == "$stamp" &&
    -f $ETC_DIR/account.ring.gz && -f $ETC_DIR/container.ring.gz && -f $ETC_DIR/object.ring.gz ]]; then
    return 0
  fi
  log "building rings"
  rm -f "$ETC_DIR/rings.stamp"
  # Same as "swift-ring-builder X.builder create 10 1 1; add r1z1-IP:PORT/d1 100;
  # rebalance" for each ring, in one Python process (3-4 s faster).
  "$PY" - "$ETC_DIR" "$HOST" "$ACCOUNT_PORT" "$CONTAINER_PORT" "$OBJECT_PORT" \
    >>"$LOG_DIR/rings.log" 2>&1 <<'PYEOF' || die "building rings failed (see $LOG_DIR/rings.log)"
import os, sys
from swift.common.ring import RingBuilder
etc, ip, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
for name, port in zip(('account', 'container', 'object'), ports):
    builder = RingBuilder(10, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': ip, 'port': int(port),
                     'replication_ip': ip, 'replication_port': int(port),
                     'device': 'd1', 'weight': 100.0, 'meta': ''})
    builder.rebalance()
    builder.get_ring().save(os.path.join(etc, name + '.ring.gz'))
    builder.save(os.path.join(etc, name + '.builder'))
    print('built %s ring: %s:%s/d1' % (name, ip, port))
PYEOF
  echo "$stamp" >"$ETC_DIR/rings.stamp"
}

# ----------------------------------------------------------- processes ----

# What /proc/PID/cmdline must contain for the pid file to be trusted.
service_marker() {
  case $1 in
    memcached) echo "-p $MEMCACHED_PORT" ;;
    *) echo "$ETC_DIR/$1-server.conf" ;;
  esac
}

pid_running() { # alive and not a zombie (PID 1 may not reap in containers)
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}

service_pid() { # prints the pid when the service is alive, fails otherwise
  local file="$RUN_DIR/$1.pid" pid cmdline
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_running "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ " $cmdline " == *" $(service_marker "$1") "* ]] || return 1
  echo "$pid"
}

start_service() {
  local name=$1 logfile="$LOG_DIR/$1.log"
  shift
  : >"$logfile"
  nohup "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_service() {
  local name=$1 pid i
  if pid=$(service_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      pid_running "$pid" || break
      sleep 0.1
    done
    if pid_running "$pid"; then
      log "$name (pid $pid) did not stop; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$RUN_DIR/$name.pid"
}

stop_all() {
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    stop_service "${SERVICES[i]}"
  done
}

all_alive() {
  local name
  for name in "${SERVICES[@]}"; do
    service_pid "$name" >/dev/null || return 1
  done
}

is_running() {
  all_alive && probe health "$PORT" 2>/dev/null
}

show_logs() {
  local f
  for f in "$LOG_DIR"/*.log; do
    [[ -s $f ]] || continue
    echo "----- $f (last 25 lines)" >&2
    tail -n 25 "$f" >&2
  done
}

# ------------------------------------------------------------ commands ----

cmd_start() {
  local name started elapsed deadline err="" memcached_args
  take_lock
  if is_running; then
    log "already running (state dir $STATE_DIR)"
    echo "endpoint=$ENDPOINT"
    return 0
  fi
  started=$(date +%s%N)
  cmd_install --quiet
  stop_all # leftovers of a partial or crashed run
  ensure_swift_conf
  write_configs
  probe xattr "$SRV_DIR/d1" ||
    die "$SRV_DIR does not support user xattrs, which Swift needs; set S3LYNC_S3_DIR to another filesystem"
  local lo hi
  if read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
    ((MEMCACHED_PORT >= lo && PORT <= hi)); then
    log "warning: ports $PORT-$MEMCACHED_PORT overlap the ephemeral port range $lo-$hi; they may be taken at random"
  fi
  probe ports-free "$PORT" "$OBJECT_PORT" "$CONTAINER_PORT" "$ACCOUNT_PORT" "$MEMCACHED_PORT" ||
    die "ports $PORT-$MEMCACHED_PORT must be free on $HOST (set S3LYNC_S3_PORT to use other ports)"
  build_rings

  memcached_args=(-l "$HOST" -p "$MEMCACHED_PORT" -U 0 -m 64 -c 1024)
  ((EUID == 0)) && memcached_args+=(-u root)
  start_service memcached memcached "${memcached_args[@]}"
  for name in account container object proxy; do
    start_service "$name" "swift-$name-server" "$ETC_DIR/$name-server.conf" --verbose
  done
  log "starting Swift + s3api on $ENDPOINT (state dir $STATE_DIR)"
  deadline=$(($(date +%s) + START_TIMEOUT))

  while :; do
    for name in "${SERVICES[@]}"; do
      service_pid "$name" >/dev/null || { err="$name exited during startup"; break 2; }
    done
    if err=$(probe memcached "$MEMCACHED_PORT" 2>&1) &&
      err=$(probe health "$ACCOUNT_PORT" "$CONTAINER_PORT" "$OBJECT_PORT" "$PORT" 2>&1) &&
      err=$(probe s3 "$PORT" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" 2>&1); then
      err=""
      break
    fi
    (($(date +%s) < deadline)) || { err="not ready after ${START_TIMEOUT}s: $err"; break; }
    sleep 0.2
  done

  if [[ -n $err ]]; then
    log "error: failed to start: $err"
    show_logs
    stop_all
    exit 1
  fi
  elapsed=$((($(date +%s%N) - started) / 1000000))
  log "ready in $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))s (credentials $ACCESS_KEY / $SECRET_KEY, region $REGION, path-style)"
  echo "endpoint=$ENDPOINT"
}

cmd_stop() {
  [[ -d $STATE_DIR ]] || { log "not running (no $STATE_DIR)"; return 0; }
  take_lock
  stop_all
  log "stopped (state dir $STATE_DIR kept; 'clean' deletes it)"
}

cmd_status() {
  local name pid
  if is_running; then
    echo "endpoint=$ENDPOINT"
    return 0
  fi
  for name in "${SERVICES[@]}"; do
    if pid=$(service_pid "$name"); then
      log "$name: running (pid $pid, port $(service_port "$name"))"
    else
      log "$name: not running"
    fi
  done
  log "not running on $ENDPOINT (state dir $STATE_DIR)"
  return 1
}

cmd_env() {
  cat <<EOF
export S3LYNC_TEST_ENDPOINT=$ENDPOINT
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=$REGION
EOF
}

cmd_clean() {
  cmd_stop
  [[ $STATE_DIR == / || -z $STATE_DIR ]] && die "refusing to delete '$STATE_DIR'"
  rm -rf "$STATE_DIR"
  log "deleted $STATE_DIR"
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop && cmd_start ;;
  status) cmd_status ;;
  env) cmd_env ;;
  logs) show_logs ;;
  clean) cmd_clean ;;
  *)
    echo "usage: $0 install|start|stop|restart|status|env|logs|clean" >&2
    exit 2
    ;;
esac
