#!/usr/bin/env bash
# Chromium for the browser tests: GradioUI used in a real browser, and the `webagent` command.
# Playwright (a Python package of the `browser` extra) drives this Chromium; it downloads nothing.
# chromedriver lets Selenium drive it too (the webagent's helium backend, the `vision` extra).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
apt_install chromium chromium-driver
