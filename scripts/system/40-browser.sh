#!/usr/bin/env bash
# Chromium for the browser tests: GradioUI used in a real browser, and the `webagent` command.
# Playwright (a Python package of the `browser` extra) drives this Chromium; it downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
apt_install chromium
