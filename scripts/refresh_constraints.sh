#!/usr/bin/env bash
# Re-resolve the test environment from pyproject.toml with the newest releases allowed, and write
# the result to scripts/constraints.txt. Run the whole suite on the new pins before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
SMOLAGENTS_VENV="$scratch/venv" SMOLAGENTS_CONSTRAINTS=none bash -c 'source scripts/_setup.sh && setup_env test'
{
  sed -n '1,3p' scripts/constraints.txt
  "$scratch/venv/bin/pip" freeze --exclude-editable | grep -v '^-e' | sed 's/^torch==\([0-9.]*\)+cpu$/torch==\1/'
} > "$scratch/constraints.txt"
mv "$scratch/constraints.txt" scripts/constraints.txt
echo "scripts/constraints.txt refreshed: run 'bash scripts/test.sh', then commit it."
