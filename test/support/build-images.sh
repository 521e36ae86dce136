#!/usr/bin/env bash
# Builds the local test images with `docker import` (no registry is reachable on these machines).
#   bulkhead-test/busybox:1   busybox-static with its applet links, CMD sleep forever
# Usage: test/support/build-images.sh [docker CLI args, e.g. -H unix:///run/other.sock]
# Idempotent: an image that already exists is left alone.
set -euo pipefail
docker_cmd=(docker "$@")
if ! "${docker_cmd[@]}" image inspect bulkhead-test/busybox:1 >/dev/null 2>&1; then
  busybox=/bin/busybox
  [ -x "$busybox" ] || { echo "busybox-static is not installed (apt-get install busybox-static)" >&2; exit 1; }
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | "${docker_cmd[@]}" import \
    --change 'CMD ["/bin/sleep", "infinity"]' \
    --change 'ENV PATH=/bin' \
    --message 'bulkhead test image: busybox-static' \
    - bulkhead-test/busybox:1 >/dev/null
  echo "built bulkhead-test/busybox:1"
fi
