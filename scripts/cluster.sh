#!/usr/bin/env bash
# Starts a local docparse cluster for trying several nodes on one machine:
# one S3-compatible store (versitygw, on 127.0.0.1:9310, keeping its
# objects in ./data/cluster/s3) and N docparse nodes (default 2) on
# 127.0.0.1:8081, 8082, ..., all on one PostgreSQL database and one
# bucket. Any node answers any request and works any job. Ctrl-C (or
# SIGTERM) stops them all.
#
#   scripts/cluster.sh [N]
#
# PostgreSQL: DATABASE_URL, default
# postgres://127.0.0.1:5432/docparse_cluster?sslmode=disable (created with
# psql when it does not exist). versitygw is installed with `go install`
# when it is not on PATH. The nodes share a secret key, generated once
# into ./data/cluster/secret.key. Each node keeps its caches and temporary
# copies in ./data/cluster/nodeK; no document is stored there.
set -euo pipefail
cd "$(dirname "$0")/.."

nodes=${1:-2}
case "$nodes" in '' | *[!0-9]* | 0) echo "usage: scripts/cluster.sh [NODES]" >&2; exit 2 ;; esac
dir=./data/cluster
s3port=9310
export DATABASE_URL=${DATABASE_URL:-postgres://127.0.0.1:5432/docparse_cluster?sslmode=disable}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-docparse}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-docparse-local-secret}
export DOCPARSE_BLOB_URL="s3://docs?endpoint=http://127.0.0.1:$s3port&region=us-east-1&use_path_style=true"

mkdir -p "$dir/s3/docs"
if [ ! -s "$dir/secret.key" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 > "$dir/secret.key")
fi
export DOCPARSE_SECRET_KEY
DOCPARSE_SECRET_KEY=$(cat "$dir/secret.key")

if ! command -v versitygw >/dev/null 2>&1; then
  PATH="$(go env GOPATH)/bin:$PATH"
  if ! command -v versitygw >/dev/null 2>&1; then
    echo "installing versitygw (an S3 server, a few minutes the first time)..." >&2
    go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
  fi
fi

# The database: created when missing (psql reaches the server the URL names).
db=${DATABASE_URL##*/}
db=${db%%\?*}
server=${DATABASE_URL%/*}
if command -v psql >/dev/null 2>&1 && ! psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  psql "$server/postgres" -qc "CREATE DATABASE \"$db\""
fi

echo "building docparse..." >&2
go build -o "$dir/docparse" ./cmd/docparse

pids=()
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

versitygw --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --port "127.0.0.1:$s3port" posix "$dir/s3" > "$dir/versitygw.log" 2>&1 &
pids+=($!)
for k in $(seq 1 "$nodes"); do
  mkdir -p "$dir/node$k"
  "$dir/docparse" serve --addr "127.0.0.1:$((8080 + k))" --data-dir "$dir/node$k" 2> "$dir/node$k.log" &
  pids+=($!)
done
for k in $(seq 1 "$nodes"); do
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$((8080 + k))/healthz" > /dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$((8080 + k))/healthz" > /dev/null || { echo "node $k did not start; see $dir/node$k.log" >&2; exit 1; }
  echo "node $k: http://127.0.0.1:$((8080 + k)) (log $dir/node$k.log)" >&2
done
echo "a key: DATABASE_URL='$DATABASE_URL' $dir/docparse keys create --account NAME" >&2
wait -n "${pids[@]}"
