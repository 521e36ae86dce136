#!/usr/bin/env bash
# Builds bulkhead-test/debian:bookworm, a real Debian 12 image for the image-reader tests, with mmdebstrap
# and `docker import` (no registry is reachable on these machines).
#   bulkhead-test/debian:bookworm   minbase + openssl + curl, from the machine's configured Debian mirror
# Usage: test/support/build-debian-image.sh [docker CLI args, e.g. -H unix:///run/other.sock]
# Idempotent: an image that already exists is left alone. Needs mmdebstrap and root (or unshare mode).
set -euo pipefail
docker_cmd=(docker "$@")
image=bulkhead-test/debian:bookworm
if "${docker_cmd[@]}" image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is not installed (apt-get install mmdebstrap)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No mirror argument: mmdebstrap uses its default, which the machine's resolver and apt setup point at the
# configured mirror. Valid-Until is not checked so that a snapshot mirror works too.
mmdebstrap --quiet --variant=minbase --include=openssl,curl \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  bookworm "$work/rootfs.tar" </dev/null
"${docker_cmd[@]}" import \
  --change 'CMD ["/bin/bash"]' \
  --message 'bulkhead test image: mmdebstrap minbase bookworm + openssl, curl' \
  "$work/rootfs.tar" "$image" >/dev/null
echo "built $image"
