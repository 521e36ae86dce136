#!/usr/bin/env bash
# Records the isolation-posture fixtures from real containers on the real dockerd.
#
# For each container below: create it (labelled bulkhead.test=1, image bulkhead-test/busybox:1, `sleep infinity`),
# start it unless it is marked "created only", and write to test/fixtures/posture/<name>/:
#   inspect.json           the Engine API's GET /containers/<id>/json document, untouched (what dockerode returns)
#   proc-status.txt        /proc/<State.Pid>/status            } running containers only; a file the kernel refuses
#   uid_map.txt            /proc/<State.Pid>/uid_map           } to give is written as <file>.error.json
#   attr-current.txt       /proc/<State.Pid>/attr/current      } {"code":"EINVAL","message":"…"} instead
#   ns-pid.txt             readlink /proc/<State.Pid>/ns/pid   }
# and to test/fixtures/posture/host/: lsm.txt (/sys/kernel/security/lsm, or lsm.error.json), ns-pid.txt
# (readlink /proc/self/ns/pid: the reader's own PID namespace), docker-info.json (GET /info), docker-version.json (GET /version), plus
# test/fixtures/posture/manifest.json listing every fixture with the options it was created with.
# The containers are removed afterwards, also on failure.
#
# Usage: test/support/record-posture-fixtures.sh            (as root, next to the engine; DOCKER_SOCK overrides
#                                                            the socket, default /var/run/docker.sock)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$repo_root/test/fixtures/posture"
sock=${DOCKER_SOCK:-/var/run/docker.sock}
image=bulkhead-test/busybox:1
prefix=bulkhead-posture-

api() { curl --silent --show-error --fail --unix-socket "$sock" "http://localhost$1"; }
dock() { docker -H "unix://$sock" "$@"; }

# Copy one kernel file. The kernel's answer is kept as it is: the bytes on success, the errno on failure.
copy_kernel_file() {
  local src=$1 dest=$2
  node -e '
    const fs = require("node:fs");
    const [src, dest] = process.argv.slice(1);
    try {
      fs.writeFileSync(dest, fs.readFileSync(src));
    } catch (e) {
      fs.writeFileSync(dest.replace(/\.txt$/, ".error.json"),
        JSON.stringify({ path: src, code: e.code ?? "UNKNOWN", message: e.message }, null, 2) + "\n");
    }' "$src" "$dest"
}

copy_link() {
  local src=$1 dest=$2
  node -e '
    const fs = require("node:fs");
    const [src, dest] = process.argv.slice(1);
    try {
      fs.writeFileSync(dest, fs.readlinkSync(src) + "\n");
    } catch (e) {
      fs.writeFileSync(dest.replace(/\.txt$/, ".error.json"),
        JSON.stringify({ path: src, code: e.code ?? "UNKNOWN", message: e.message }, null, 2) + "\n");
    }' "$src" "$dest"
}

# name | start (yes/no) | docker create options (one shell word each, separated by spaces)
fixtures=(
  "default|yes|"
  "privileged|no|--privileged"
  "cap-add-all|yes|--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt systempaths=unconfined"
  "sys-admin-unconfined|yes|--cap-add SYS_ADMIN --security-opt seccomp=unconfined"
  "docker-sock-host-ns|yes|-v /var/run/docker.sock:/var/run/docker.sock --pid host --net host"
  "hardened|yes|--read-only --cap-drop ALL --security-opt no-new-privileges --user 1000:1000 --memory 64m --pids-limit 50 --cpus 0.5"
  "published-apparmor-unconfined|yes|-p 0.0.0.0:8080:80 --security-opt apparmor=unconfined"
  "drop-net-raw|yes|--cap-drop NET_RAW"
  "etc-ro|yes|-v /etc:/host-etc:ro"
)

created=()
cleanup() {
  for name in "${created[@]}"; do dock rm -f "$name" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

dock image inspect "$image" >/dev/null 2>&1 || {
  echo "image $image is missing: run test/support/build-images.sh first" >&2
  exit 1
}

rm -rf "$out"
mkdir -p "$out/host"

manifest_entries=()
for entry in "${fixtures[@]}"; do
  IFS='|' read -r name start opts <<<"$entry"
  cname="$prefix$name"
  dock rm -f "$cname" >/dev/null 2>&1 || true
  # shellcheck disable=SC2086 # the options are deliberately split into words
  dock create --name "$cname" --label bulkhead.test=1 $opts "$image" sleep infinity >/dev/null
  created+=("$cname")
  if [ "$start" = yes ]; then dock start "$cname" >/dev/null; fi

  dir="$out/$name"
  mkdir -p "$dir"
  api "/containers/$cname/json" | jq . >"$dir/inspect.json"
  pid=$(jq -r '.State.Pid' "$dir/inspect.json")
  if [ "$start" = yes ] && [ "$pid" -gt 0 ]; then
    copy_kernel_file "/proc/$pid/status" "$dir/proc-status.txt"
    copy_kernel_file "/proc/$pid/uid_map" "$dir/uid_map.txt"
    copy_kernel_file "/proc/$pid/attr/current" "$dir/attr-current.txt"
    copy_link "/proc/$pid/ns/pid" "$dir/ns-pid.txt"
  fi
  manifest_entries+=("$(jq -n --arg name "$name" --arg opts "$opts" --arg started "$start" \
    '{name: $name, options: $opts, started: ($started == "yes")}')")
  echo "recorded $name"
done

copy_kernel_file /sys/kernel/security/lsm "$out/host/lsm.txt"
# /proc/self is the reader itself: the PID namespace Bulkhead sees (/proc/1 may refuse even root).
copy_link /proc/self/ns/pid "$out/host/ns-pid.txt"
api /info | jq . >"$out/host/docker-info.json"
api /version | jq . >"$out/host/docker-version.json"

printf '%s\n' "${manifest_entries[@]}" | jq -s \
  --arg recordedAt "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg engine "$(jq -r '.Version' "$out/host/docker-version.json")" \
  --arg kernel "$(uname -r)" \
  --arg image "$image" \
  '{recordedAt: $recordedAt, recordedWith: "test/support/record-posture-fixtures.sh", engine: $engine, kernel: $kernel,
    image: $image, command: "sleep infinity", label: "bulkhead.test=1", fixtures: .}' >"$out/manifest.json"
echo "wrote $out"
