# shellcheck shell=bash
# Sourced by scripts/build-image.sh: assembles a local stand-in for node:20-bookworm-slim, because no
# container registry can be reached from here. A minimal Debian root made by debootstrap (so apt-get works,
# as Dockerfile.sse's runtime stage needs for tini), this machine's own node, npm and corepack under
# /usr/local (where the official image has them), and the node user and group with id 1000.
#
# Expects from the caller: bh (buildah with the chosen storage options), step, info, die, the variables
# DEBIAN_SUITE DEBIAN_MIRROR DEBIAN_SECURITY_MIRROR WORK_DIR, and CLEANUP_CONTAINERS (an array it appends to).
# Everything that changes what this file builds must be part of node_base_key below, which the image carries
# as a label: an image with the same key is reused as it is.

# Host's Node installation: the binary, and the npm (and corepack) package directories.
node_base_detect() {
  NODE_BIN=$(readlink -f "$(command -v node)")
  NODE_VERSION=$("$NODE_BIN" -p 'process.version.slice(1)')
  local npm_cli
  npm_cli=$(readlink -f "$(command -v npm)")
  NPM_DIR=$(dirname "$(dirname "$npm_cli")")
  [[ -f $NPM_DIR/package.json && -f $NPM_DIR/bin/npm-cli.js ]] \
    || die "cannot find npm's package directory (npm resolves to $npm_cli)"
  NPM_VERSION=$("$NODE_BIN" -p 'require(process.argv[1]).version' "$NPM_DIR/package.json")
  COREPACK_DIR=$(dirname "$NPM_DIR")/corepack
  [[ -f $COREPACK_DIR/dist/corepack.js ]] || COREPACK_DIR=
}

node_base_key() {
  {
    printf '%s\n' "$NODE_VERSION" "$NPM_VERSION" "${COREPACK_DIR:+corepack}" "$(uname -m)" \
      "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$DEBIAN_SECURITY_MIRROR"
    cat "${BASH_SOURCE[0]}"
  } | sha256sum | cut -c1-32
}

build_node_base() {
  local tag=$1 key=$2 ctr mnt
  command -v debootstrap >/dev/null \
    || die "debootstrap is needed to assemble the base image (apt-get install -y debootstrap)"

  ctr=$(bh from --name "node-base-build-$$" scratch)
  CLEANUP_CONTAINERS+=("$ctr")
  mnt=$(bh mount "$ctr")

  info "debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR (log: $WORK_DIR/debootstrap.log)"
  if ! debootstrap --variant=minbase --components=main "$DEBIAN_SUITE" "$mnt" "$DEBIAN_MIRROR" \
    >"$WORK_DIR/debootstrap.log" 2>&1; then
    tail -n 40 "$WORK_DIR/debootstrap.log" >&2
    die "debootstrap failed (is $DEBIAN_MIRROR reachable?)"
  fi

  # apt sources as in the official bookworm images (deb822), and their slimming: no docs, man pages or
  # locales from later installs, no .deb files or package lists left behind.
  rm -f "$mnt/etc/apt/sources.list"
  cat >"$mnt/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$mnt/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$mnt/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  printf 'APT::Install-Recommends "false";\n' >"$mnt/etc/apt/apt.conf.d/docker-no-recommends"
  find "$mnt/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  find "$mnt/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$mnt"/usr/share/{man,info,groff,lintian,linda}/* "$mnt"/var/lib/apt/lists/* \
    "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/cache/apt/*.bin "$mnt"/var/log/*.log "$mnt"/var/log/apt/*
  find "$mnt/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  # Host-specific files debootstrap copies in; buildah provides its own at run time.
  rm -f "$mnt/etc/hostname"
  : >"$mnt/etc/resolv.conf"

  info "node $NODE_VERSION and npm $NPM_VERSION from $NODE_BIN${COREPACK_DIR:+, corepack}"
  install -D -m 0755 "$NODE_BIN" "$mnt/usr/local/bin/node"
  mkdir -p "$mnt/usr/local/lib/node_modules"
  cp -a "$NPM_DIR" "$mnt/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  if [[ -n $COREPACK_DIR ]]; then
    cp -a "$COREPACK_DIR" "$mnt/usr/local/lib/node_modules/corepack"
    ln -s ../lib/node_modules/corepack/dist/corepack.js "$mnt/usr/local/bin/corepack"
  fi
  # build-image.sh bind-mounts its build-time npm settings over the (empty) /usr/local/etc: it must exist here,
  # so that the mount leaves no mount point in the layers built on this image.
  mkdir -p "$mnt/usr/local/etc"
  bh unmount "$ctr" >/dev/null

  # As in the official image: group and user node, id 1000, home /home/node, bash. Then prove node and npm
  # run on this root (their shared libraries are all there).
  # shellcheck disable=SC2016 # expanded by the shell in the container
  bh run --isolation=chroot "$ctr" -- sh -ec '
    groupadd --gid 1000 node
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    printf "    in the base: node %s, npm %s, %s\n" "$(node --version)" "$(npm --version)" "$(id node)"
    command -v apt-get >/dev/null
  '

  bh config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=$NODE_VERSION" \
    --cmd node \
    --label "io.github.elevenlabs-mcp-sse.node-base.key=$key" \
    --label "org.opencontainers.image.description=Local stand-in for node:$NODE_VERSION-$DEBIAN_SUITE-slim, made by scripts/build-image.sh" \
    "$ctr"
  bh commit --rm --quiet --format docker "$ctr" "$tag" >/dev/null
}
