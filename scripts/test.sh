#!/usr/bin/env bash
# Set up a virtual environment with everything the tests need, then run the whole test suite.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
setup_env test
VENV="$VENV" bash scripts/setup_system.sh
export HF_HUB_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True GRADIO_ANALYTICS_ENABLED=False
"$VENV/bin/python" -m pytest "$@"
