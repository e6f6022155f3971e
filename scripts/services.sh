#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 (start the local cluster, or install it on a
# Debian machine where it is missing). Fails loudly rather than letting tests skip.
set -euo pipefail

postgres_up() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h 127.0.0.1 -p 5432; return; fi
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

if ! postgres_up; then
  if ! command -v pg_ctlcluster >/dev/null && command -v apt-get >/dev/null && [[ $EUID -eq 0 ]]; then
    echo "installing PostgreSQL (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    # A throwaway test server: trust connections from loopback, as on the CI machines.
    hba="$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -1)"
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  if command -v pg_ctlcluster >/dev/null; then
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do postgres_up && break; sleep 1; done
fi
if ! postgres_up; then
  echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started" >&2
  exit 1
fi
# The tests connect as the postgres superuser without a password (trust on loopback).
if ! PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -tAc 'select 1' >/dev/null 2>&1; then
  echo "cannot connect to PostgreSQL as postgres@127.0.0.1 without a password;" \
       "set SKILLBRIDGE_TEST_POSTGRES_URL to a superuser URL" >&2
  [[ -n "${SKILLBRIDGE_TEST_POSTGRES_URL:-}" ]] || exit 1
fi

# Production runs go to Celery workers over Redis (the stack test and benchmark start one).
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up; then
  if ! command -v redis-server >/dev/null && command -v apt-get >/dev/null && [[ $EUID -eq 0 ]]; then
    echo "installing Redis (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp >/dev/null
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
if ! redis_up; then
  echo "Redis is not reachable on 127.0.0.1:6379 and could not be started" >&2
  exit 1
fi

# The browser tests (report page, offline /docs, the Dagster UI) drive headless Chromium
# (Debian's package) through Playwright, which is told to use it; installed when missing.
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [[ $EUID -eq 0 ]]; then
  echo "installing Chromium (Debian package) for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v chromium >/dev/null; then
  echo "chromium is not installed and could not be (the browser tests need it)" >&2
  exit 1
fi
