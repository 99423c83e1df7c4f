#!/bin/sh
# Builds a local PostgreSQL 15 image for `switchyard rehearse --engine docker` on machines that reach no image
# registry: a Debian bookworm rootfs from debootstrap (mirror taken from this machine's apt sources), then
# `docker import`. Tagged switchyard/postgres:15 and, unless another postgres:15 is already there, postgres:15,
# so the default image name works here exactly like the official image elsewhere.
# The entrypoint does what the official image does for the part switchyard uses: initdb on an empty data
# directory with password auth from POSTGRES_PASSWORD (user POSTGRES_USER, default postgres), then runs the
# command as the postgres user. Not done: POSTGRES_DB, /docker-entrypoint-initdb.d, VOLUME, and STOPSIGNAL
# (docker import refuses it: `docker stop` sends SIGTERM, a smart shutdown).
# Usage: sh scripts/docker-image.sh [--force]     (as root; about 45 s; skipped when the image exists)
set -eu

IMAGE=switchyard/postgres:15
ALIAS=postgres:15
LABEL=org.switchyard.image=postgres-15-debootstrap
SUITE=bookworm

say() { echo "docker-image: $*"; }
die() { echo "docker-image: error: $*" >&2; exit 1; }

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument $arg (usage: sh scripts/docker-image.sh [--force])" ;;
  esac
done

command -v docker >/dev/null 2>&1 || die "no docker command: install it (Debian: apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "no docker engine reachable: start one, e.g. as root
  dockerd --bridge=none --iptables=false >/var/log/dockerd.log 2>&1 &
(or \`systemctl start docker\` where systemd runs), then retry"

ours() { [ "$(docker image inspect -f "{{index .Config.Labels \"${LABEL%%=*}\"}}" "$1" 2>/dev/null)" = "${LABEL#*=}" ]; }

# postgres:15 points at our image unless something else (the official image, say) already has that name.
tag_alias() {
  if docker image inspect "$ALIAS" >/dev/null 2>&1 && ! ours "$ALIAS"; then
    say "$ALIAS exists and is not ours (the official image?): left as it is; $IMAGE is ours"
  else
    docker tag "$IMAGE" "$ALIAS"
    say "tagged $ALIAS"
  fi
}

if [ "$force" = 0 ] && ours "$IMAGE"; then
  say "$IMAGE exists (use --force to rebuild)"
  tag_alias
  exit 0
fi

[ "$(id -u)" = 0 ] || die "debootstrap needs root: run as root (or sudo sh scripts/docker-image.sh)"
command -v debootstrap >/dev/null 2>&1 || die "no debootstrap: install it (Debian: apt-get install debootstrap)"

# The first enabled `deb` source for the suite, from deb822 *.sources or one-line *.list files.
# SWITCHYARD_DEBIAN_MIRROR overrides it.
find_mirror() {
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && tolower(enabled) != "no" && uris != "") {
          split(uris, u, " "); print u[1]; found = 1; exit
        }
        types = ""; suites = ""; uris = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { key = tolower($1); $1 = ""; sub(/^ +/, "") }
      key == "types:" { types = $0 } key == "suites:" { suites = $0 }
      key == "uris:" { uris = $0 } key == "enabled:" { enabled = $0 }
      END { if (!found) flush() }
    ' "$f"
  done
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }
    ' "$f"
  done
}
mirror=${SWITCHYARD_DEBIAN_MIRROR:-$(find_mirror | head -n 1)}
[ -n "$mirror" ] || die "no apt source for Debian $SUITE found in /etc/apt/sources.list.d/ or /etc/apt/sources.list; set SWITCHYARD_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"

work=$(mktemp -d /tmp/switchyard-image.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/rootfs
start=$(date +%s)

say "debootstrap $SUITE (minbase + postgresql-15) from $mirror into $root (about 40 s)"
if ! debootstrap --variant=minbase --include=postgresql-15 "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 20 "$work/debootstrap.log" >&2
  [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 20 "$root/debootstrap/debootstrap.log" >&2
  die "debootstrap failed (mirror $mirror; see the lines above)"
fi
[ -x "$root/usr/lib/postgresql/15/bin/postgres" ] || die "debootstrap finished but $root has no /usr/lib/postgresql/15/bin/postgres"
say "rootfs ready after $(( $(date +%s) - start )) s"

# The Debian package creates a cluster "main" and config we do not use; the entrypoint makes its own.
rm -rf "$root/var/lib/postgresql/15" "$root/etc/postgresql/15" "$root/var/cache/apt/archives"/*.deb \
  "$root/var/lib/apt/lists"/* "$root/usr/share/doc" "$root/usr/share/man" "$root/debootstrap"
mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
chroot "$root" chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql

cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
# switchyard/postgres:15 entrypoint (the official postgres image's contract, reduced to what switchyard uses).
set -eu
case "${1:-}" in -*) set -- postgres "$@" ;; esac
if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
  : "${PGDATA:=/var/lib/postgresql/data}"
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
      echo "error: database is uninitialized and POSTGRES_PASSWORD is not set (docker run -e POSTGRES_PASSWORD=...)" >&2
      exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb -D "$PGDATA" --username="${POSTGRES_USER:-postgres}" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
    rm -f "$pwfile"
    printf '\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    echo "PostgreSQL init process complete; ready for start up."
  fi
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
fi
exec "$@"
ENTRYPOINT
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

say "docker import as $IMAGE"
tar -C "$root" --numeric-owner -cf - . | docker import \
  --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'ENV LANG=C.UTF-8' \
  --change "LABEL $LABEL" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  --change 'EXPOSE 5432' \
  - "$IMAGE" >/dev/null || die "docker import failed"
tag_alias
say "built $IMAGE in $(( $(date +%s) - start )) s ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"
