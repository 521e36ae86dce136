#!/bin/sh
# Build bulkhead-test/lint-fixture:1: the busybox test image plus deliberate image-lint problems (fake secrets,
# ADD, a .env file, a throwaway private key, a setuid file). Needs bulkhead-test/busybox:1 and openssl.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
esc=$(printf '\033')
bel=$(printf '\007')
cat > "$dir/Dockerfile" <<DOCKERFILE
FROM bulkhead-test/busybox:1
LABEL bulkhead.test=1 org.example.note="line1${esc}[31mred${esc}]0;pwned${bel}" deploy.token="ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE APP_MODE=production DB_PASSWORD_FILE=/run/secrets/db
ARG API_TOKEN=s3cr3t-build-arg
ADD app.tar /opt/app/
COPY .env /opt/app/.env
COPY id_rsa /root/.ssh/id_rsa
RUN API_TOKEN=\$API_TOKEN true && chmod 4755 /opt/app/tool
USER 1000:1000
DOCKERFILE
mkdir "$dir/app"
printf '#!/bin/sh\n' > "$dir/app/tool"
tar cf "$dir/app.tar" -C "$dir/app" tool
printf 'DB_PASSWORD=hunter22\n' > "$dir/.env"
openssl genpkey -algorithm ed25519 -out "$dir/id_rsa" 2>/dev/null
DOCKER_BUILDKIT=0 docker build -q -t bulkhead-test/lint-fixture:1 "$dir" >/dev/null
echo bulkhead-test/lint-fixture:1
