#!/bin/bash
# Dagster's own storage lives in a second database beside the results store.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "CREATE DATABASE \"$DAGSTER_DB\""
