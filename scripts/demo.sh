#!/usr/bin/env bash
# Set up, then run the main job on the embedded default (SQLite, local files, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/skillbridge demo
