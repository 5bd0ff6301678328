#!/usr/bin/env bash
# The loopback stand-ins of the cloud executors' services (tests/executors/loopback_*.py): Modal's
# sandboxes are reached over HTTPS, so its stand-in makes a certificate for 127.0.0.1 with openssl.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
command -v openssl >/dev/null || apt_install openssl
