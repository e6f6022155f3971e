#!/usr/bin/env bash
# Set up, start the services the tests need, run the whole suite. Extra arguments go to pytest
# (for example: bash scripts/test.sh -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
exec .venv/bin/python -m pytest "$@"
