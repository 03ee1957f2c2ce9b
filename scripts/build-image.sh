#!/usr/bin/env bash
# Builds the production image from Dockerfile.sse with buildah (no daemon, chroot isolation), runs it, and
# checks that its own HEALTHCHECK passes inside the running container. Exits non-zero on any failure.
#
#   scripts/build-image.sh [--skip-if-missing] [--no-cache] [--rebuild-base]
#
#   --skip-if-missing  where buildah is not installed, say so and exit 0 (without it: exit 3)
#   --no-cache         rebuild every Dockerfile.sse layer (the base image is still reused)
#   --rebuild-base     rebuild the local Node base image even if an up-to-date one exists
#
# No registry is needed: node:20-bookworm-slim is replaced by a local base (localhost/node-base:<major>)
# assembled from a debootstrapped Debian root and this machine's own node and npm (scripts/image/node-base.sh),
# kept in buildah's storage and reused while node, npm and that script are unchanged.
# Needs root (debootstrap, buildah mount), and the Debian packages buildah and debootstrap.
#
# Settings (environment):
#   IMAGE_TAG          image to build            (localhost/elevenlabs-mcp-sse:test)
#   BASE_TAG           local Node base image     (localhost/node-base:<major of this machine's node>)
#   STORAGE_DRIVER     overlay | vfs | auto      (auto: the driver already in use in STORAGE_ROOT, else
#                                                 overlay where the kernel mounts it, else vfs)
#   STORAGE_ROOT       buildah storage           (/var/lib/containers/storage, buildah's default as root)
#   STORAGE_RUNROOT    buildah run state         (/run/containers/storage)
#   DEBIAN_SUITE, DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR   for the base (bookworm, deb.debian.org)
#   HEALTH_TIMEOUT     seconds the started container gets to pass its health check (60)
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

SKIP_IF_MISSING=0 NO_CACHE=0 REBUILD_BASE=0
for arg in "$@"; do
  case $arg in
    --skip-if-missing) SKIP_IF_MISSING=1 ;;
    --no-cache) NO_CACHE=1 ;;
    --rebuild-base) REBUILD_BASE=1 ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'build-image: unknown option %s\n\n' "$arg" >&2; usage >&2; exit 2 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> [build-image %3ds] %s\n' "$SECONDS" "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\n[build-image] FAILED after %ss: %s\n' "$SECONDS" "$*" >&2; exit 1; }

step "preflight"
if ! command -v buildah >/dev/null; then
  missing='[build-image] buildah is not installed, so the image cannot be built here (apt-get install -y buildah debootstrap).'
  if ((SKIP_IF_MISSING)); then
    printf '%s\n[build-image] SKIPPED (--skip-if-missing)\n' "$missing"
    exit 0
  fi
  printf '%s\n' "$missing" >&2
  exit 3
fi
((EUID == 0)) || die "run as root: debootstrap and buildah mount need it (this script is written for a root sandbox)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  die "node and npm must be on PATH: the base image is made from them"
fi
info "$(buildah --version)"

IMAGE_TAG=${IMAGE_TAG:-localhost/elevenlabs-mcp-sse:test}
BASE_TAG=${BASE_TAG:-localhost/node-base:$(node -p 'process.versions.node.split(".")[0]')}
STORAGE_ROOT=${STORAGE_ROOT:-/var/lib/containers/storage}
STORAGE_RUNROOT=${STORAGE_RUNROOT:-/run/containers/storage}
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-60}

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/build-image.XXXXXX")
CLEANUP_CONTAINERS=()
SERVER_PID=

# ---- process-tree helpers (no pgrep needed) ----
children_of() {
  local stat rest ppid
  for stat in /proc/[0-9]*/stat; do
    { read -r rest <"$stat"; } 2>/dev/null || continue
    rest=${rest##*) } # after the command name, which may hold spaces: "state ppid ..."
    read -r _ ppid _ <<<"$rest"
    if [[ $ppid == "$1" ]]; then
      stat=${stat#/proc/}
      printf '%s\n' "${stat%/stat}"
    fi
  done
}
descendants_of() {
  local child
  for child in $(children_of "$1"); do
    printf '%s\n' "$child"
    descendants_of "$child"
  done
}
kill_tree() { # SIGKILL a process and everything under it
  local pids
  pids=$(descendants_of "$1")
  # shellcheck disable=SC2086 # one pid a word
  kill -KILL "$1" $pids 2>/dev/null || true
}

cleanup() {
  local status=$? ctr
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill_tree "$SERVER_PID"; fi
  for ctr in "${CLEANUP_CONTAINERS[@]}"; do
    bh unmount "$ctr" >/dev/null 2>&1 || true
    bh rm "$ctr" >/dev/null 2>&1 || true
  done
  if ((status == 0)); then
    rm -rf "$WORK_DIR"
  else
    printf '[build-image] logs kept in %s\n' "$WORK_DIR" >&2
    printf '[build-image] an interrupted buildah bud can leave working containers behind: buildah containers; buildah rm NAME\n' >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- storage driver ----
overlay_mounts_here() {
  local probe ok=1
  mkdir -p "$STORAGE_ROOT"
  probe=$(mktemp -d "$STORAGE_ROOT/.overlay-probe.XXXXXX")
  mkdir "$probe"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
    umount "$probe/merged"
    ok=0
  fi
  rm -rf "$probe"
  return "$ok"
}
DRIVER=${STORAGE_DRIVER:-auto}
if [[ $DRIVER == auto ]]; then
  if [[ -d $STORAGE_ROOT/overlay-images ]]; then
    DRIVER=overlay why="already in use in $STORAGE_ROOT"
  elif [[ -d $STORAGE_ROOT/vfs-images ]]; then
    DRIVER=vfs why="already in use in $STORAGE_ROOT"
  elif overlay_mounts_here; then
    DRIVER=overlay why="the kernel mounts overlay here"
  else
    DRIVER=vfs why="overlay cannot be mounted here; vfs copies every layer (slower, bigger)"
  fi
else
  why="STORAGE_DRIVER"
fi
bh() { buildah --root "$STORAGE_ROOT" --runroot "$STORAGE_RUNROOT" --storage-driver "$DRIVER" "$@"; }
info "storage: driver $DRIVER ($why), root $STORAGE_ROOT"
info "isolation: chroot (no OCI runtime, no daemon); host network namespace shared with RUN steps and the container"

# ---- 1. local Node base image ----
# shellcheck source=scripts/image/node-base.sh disable=SC1091 # followed with shellcheck -x (test/e2e/image.test.ts)
. scripts/image/node-base.sh
step "base image $BASE_TAG"
node_base_detect
BASE_KEY=$(node_base_key)
have_key=$(bh inspect --type image --format '{{index .OCIv1.Config.Labels "io.github.elevenlabs-mcp-sse.node-base.key"}}' "$BASE_TAG" 2>/dev/null || true)
if [[ $have_key == "$BASE_KEY" ]] && ((!REBUILD_BASE)); then
  info "cached: $BASE_TAG is up to date (key $BASE_KEY); --rebuild-base to make it anew"
else
  [[ -n $have_key ]] && info "rebuilding: the cached one has key ${have_key}, want $BASE_KEY"
  base_start=$SECONDS
  build_node_base "$BASE_TAG" "$BASE_KEY"
  info "built $BASE_TAG in $((SECONDS - base_start))s"
fi

# ---- 2. the image, from Dockerfile.sse ----
step "buildah bud -f Dockerfile.sse -t $IMAGE_TAG (NODE_IMAGE=$BASE_TAG)"
bud_args=(--isolation=chroot --format docker --layers --pull=never -f Dockerfile.sse
  --build-arg "NODE_IMAGE=$BASE_TAG" -t "$IMAGE_TAG")
((NO_CACHE)) && bud_args+=(--no-cache)
# npm in the RUN steps must trust what this machine's node trusts (here TLS passes through a proxy with its
# own CA, given to node as NODE_EXTRA_CA_CERTS). Given at build time only: a directory holding a global npmrc
# and the CA file it names (node's own roots, the system bundle, NODE_EXTRA_CA_CERTS), bind-mounted over the
# base image's empty /usr/local/etc, so that neither it nor a mount point is left in a layer.
mkdir "$WORK_DIR/usr-local-etc"
node -p 'require("tls").rootCertificates.join("\n")' >"$WORK_DIR/usr-local-etc/build-ca.crt"
for ca in /etc/ssl/certs/ca-certificates.crt "${NODE_EXTRA_CA_CERTS:-}"; do
  if [[ -n $ca && -r $ca ]]; then cat "$ca" >>"$WORK_DIR/usr-local-etc/build-ca.crt"; fi
done
printf 'cafile=/usr/local/etc/build-ca.crt\n' >"$WORK_DIR/usr-local-etc/npmrc"
bud_args+=(--volume "$WORK_DIR/usr-local-etc:/usr/local/etc:ro")
info "build-time only: npm trusts this machine's CAs (/usr/local/etc/npmrc bind-mounted from $WORK_DIR)"
bud_start=$SECONDS
bh bud "${bud_args[@]}" . || die "buildah bud failed"
info "built $IMAGE_TAG in $((SECONDS - bud_start))s"

# ---- 3. run it and check its HEALTHCHECK inside ----
step "run $IMAGE_TAG and check its HEALTHCHECK"
# The image's own ENTRYPOINT + CMD and HEALTHCHECK command (NUL-terminated words in two files), user, workdir.
# shellcheck disable=SC2016 # JavaScript, not shell
bh inspect --type image "$IMAGE_TAG" | node -e '
  const fs = require("fs");
  const [dir] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(0, "utf8")).Docker.config;
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  const t = c.Healthcheck?.Test ?? [];
  const health = t[0] === "CMD" ? t.slice(1) : t[0] === "CMD-SHELL" ? ["/bin/sh", "-c", t[1]] : [];
  if (!argv.length) throw new Error("the image has no ENTRYPOINT or CMD");
  if (!health.length) throw new Error("the image has no HEALTHCHECK");
  for (const [name, words] of [["argv", argv], ["health", health]]) fs.writeFileSync(`${dir}/${name}`, words.map((w) => w + "\0").join(""));
  console.log(c.User ?? "");
  console.log(c.WorkingDir ?? "");
' "$WORK_DIR" >"$WORK_DIR/config" || die "cannot read the image's configuration"
{ IFS= read -r image_user; IFS= read -r image_workdir; } <"$WORK_DIR/config"
mapfile -d '' -t RUN_ARGV <"$WORK_DIR/argv"
mapfile -d '' -t HEALTH_ARGV <"$WORK_DIR/health"
info "entrypoint+cmd: ${RUN_ARGV[*]}; healthcheck: ${HEALTH_ARGV[*]}; user ${image_user:-root}; workdir ${image_workdir:-/}"

ctr=$(bh from --pull=never --name "elevenlabs-mcp-sse-check-$$" "$IMAGE_TAG")
CLEANUP_CONTAINERS+=("$ctr")
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
TOKEN=$(node -p 'require("crypto").randomBytes(32).toString("hex")')
# The container keeps the image's HOST=0.0.0.0 and so needs a token; a free port, since the network
# namespace is the host's. No PID namespace under chroot isolation, so tini is told to be a subreaper.
RUN_ENV=(--env "PORT=$PORT" --env "MCP_AUTH_TOKENS=$TOKEN" --env TINI_SUBREAPER=1)
info "whoami inside: $(bh run --isolation=chroot "$ctr" -- id)"
bh run --isolation=chroot "${RUN_ENV[@]}" "$ctr" -- "${RUN_ARGV[@]}" >"$WORK_DIR/server.log" 2>&1 &
SERVER_PID=$!
info "started (${RUN_ARGV[*]}) on port $PORT; log $WORK_DIR/server.log"

healthy=0 tries=0
deadline=$((SECONDS + HEALTH_TIMEOUT))
while ((SECONDS < deadline)); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$WORK_DIR/server.log" >&2
    die "the container exited before it was healthy"
  fi
  tries=$((tries + 1))
  if bh run --isolation=chroot --env "PORT=$PORT" "$ctr" -- "${HEALTH_ARGV[@]}" >>"$WORK_DIR/health.log" 2>&1; then
    healthy=1
    break
  fi
  sleep 1
done
if ((!healthy)); then
  cat "$WORK_DIR/server.log" >&2
  die "HEALTHCHECK (${HEALTH_ARGV[*]}) did not pass within ${HEALTH_TIMEOUT}s"
fi
info "HEALTHCHECK passed inside the container: '${HEALTH_ARGV[*]}' exited 0 (attempt $tries)"

# From the host as well (same network namespace): /health's body, and that the SSE endpoint wants the token.
node --input-type=module - "$PORT" "$TOKEN" <<'EOF' || die "the checks from the host failed"
const [port, token] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const health = await fetch(`${base}/health`);
console.log(`    from the host: GET /health -> ${health.status} ${await health.text()}`);
const anon = await fetch(`${base}/sse`);
console.log(`    from the host: GET /sse without a token -> ${anon.status}`);
const ac = new AbortController();
const authed = await fetch(`${base}/sse`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
console.log(`    from the host: GET /sse with the token -> ${authed.status} ${authed.headers.get('content-type')}`);
ac.abort();
if (health.status !== 200 || anon.status !== 401 || authed.status !== 200) process.exit(1);
EOF

# ---- 4. stop it as `docker stop` would: SIGTERM to the entrypoint (tini), which forwards it to node ----
step "stop the container (SIGTERM to ${RUN_ARGV[0]})"
entry_pid=
for pid in $(descendants_of "$SERVER_PID"); do
  if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */"$(basename "${RUN_ARGV[0]}")" ]]; then entry_pid=$pid; break; fi
done
[[ -n $entry_pid ]] || die "cannot find the container's ${RUN_ARGV[0]} process"
kill -TERM "$entry_pid"
stopped=0
for _ in $(seq 1 30); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then stopped=1; break; fi
  sleep 1
done
((stopped)) || { kill_tree "$SERVER_PID"; cat "$WORK_DIR/server.log" >&2; die "the container did not stop within 30s of SIGTERM"; }
server_status=0
wait "$SERVER_PID" || server_status=$?
SERVER_PID=
((server_status == 0)) || { cat "$WORK_DIR/server.log" >&2; die "the container exited with status $server_status after SIGTERM"; }
info "stopped cleanly (exit 0); its last log lines:"
tail -n 3 "$WORK_DIR/server.log" | cut -c1-200 | sed 's/^/      /'

step "images"
bh images --format '{{.Name}}:{{.Tag}}  {{.ID}}  {{.Size}}' | grep -F -e "$IMAGE_TAG" -e "$BASE_TAG" | sed 's/^/    /' || true
printf '\n[build-image] PASSED in %ss: %s built (storage driver %s), ran, and its HEALTHCHECK passed inside.\n' \
  "$SECONDS" "$IMAGE_TAG" "$DRIVER"
