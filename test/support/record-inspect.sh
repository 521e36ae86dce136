#!/usr/bin/env bash
# Records `docker inspect` documents of real containers into test/fixtures/inspect/<name>.json, for the
# map-inspect unit tests. Each container is created from bulkhead-test/busybox:1 (test/support/build-images.sh)
# with the label bulkhead.test=1, brought into the state its name says, inspected, and removed.
#   running         docker run -d, with extra labels
#   exited-3        ran `exit 3`
#   created         docker create, never started
#   paused          running, then docker pause
#   start-failed    docker create with a missing executable, docker start refused (state created, exit 127)
#   hardened        --read-only --cap-drop ALL --user 1000:1000 --security-opt no-new-privileges --memory 64m
# Usage: test/support/record-inspect.sh [docker CLI args, e.g. -H unix:///run/other.sock]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=test/fixtures/inspect
image=bulkhead-test/busybox:1
docker_cmd=(docker "$@")
prefix="bh-rec-$$"
mkdir -p "$out"

cleanup() {
  ids=$("${docker_cmd[@]}" ps -aq --filter "label=bulkhead.recording=$prefix")
  [ -z "$ids" ] || "${docker_cmd[@]}" rm -f $ids >/dev/null
}
trap cleanup EXIT

labels=(--label bulkhead.test=1 --label "bulkhead.recording=$prefix")
run() { "${docker_cmd[@]}" "$@"; }

run run -d --name "$prefix-running" "${labels[@]}" --label com.example.team=payments \
  --label 'com.example.note=spaces and = signs' "$image" sleep infinity >/dev/null
run run --name "$prefix-exited-3" "${labels[@]}" "$image" sh -c 'exit 3' >/dev/null || true
run create --name "$prefix-created" "${labels[@]}" "$image" >/dev/null
run run -d --name "$prefix-paused" "${labels[@]}" "$image" sleep infinity >/dev/null
run pause "$prefix-paused" >/dev/null
run create --name "$prefix-start-failed" "${labels[@]}" "$image" /bin/does-not-exist >/dev/null
run start "$prefix-start-failed" >/dev/null 2>&1 || true
run run -d --name "$prefix-hardened" "${labels[@]}" --read-only --cap-drop ALL --user 1000:1000 \
  --security-opt no-new-privileges --memory 64m --pids-limit 50 "$image" sleep infinity >/dev/null

for kind in running exited-3 created paused start-failed hardened; do
  # docker inspect prints a JSON array; store the single document.
  run inspect --type container "$prefix-$kind" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0], indent=2))' \
    > "$out/$kind.json"
  echo "recorded $out/$kind.json"
done
# Formatting only, so `prettier --check .` passes on the recorded files.
npx --no-install prettier --log-level warn --write "$out"/*.json
