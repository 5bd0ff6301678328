#!/usr/bin/env bash
# Shared helper for the steps here: install Debian packages once, serialised by a lock.
# Usage from a step: source scripts/system/00-apt.sh; apt_install pkg1 pkg2 ...
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "system set-up: not root, cannot install ${missing[*]} (tests needing them will be skipped)" >&2
    return 1
  fi
  (
    flock 9
    if [ ! -f /tmp/.smolagents-apt-updated ]; then apt-get update -qq && touch /tmp/.smolagents-apt-updated; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ) 9>/tmp/.smolagents-apt.lock
}
