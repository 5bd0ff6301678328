#!/usr/bin/env bash
# Set up a virtual environment with everything the tests need, then run the whole test suite.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
# System components (apt packages, a Docker engine and its image, Pyodide) install while pip works:
# neither needs the other, and together they are most of a fresh machine's set-up time.
bash scripts/setup_system.sh &
system_setup=$!
setup_env test
wait "$system_setup"
export HF_HUB_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True GRADIO_ANALYTICS_ENABLED=False
"$VENV/bin/python" -m pytest "$@"
