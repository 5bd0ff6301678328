#!/usr/bin/env bash
# A Docker engine for the DockerExecutor tests, with networking off, and a small Python image built
# locally from Debian's packages (no image registry is reachable). Idempotent and cached:
#   - dockerd runs with no bridge, no iptables rules, no IP forwarding (containers get no network);
#     its socket is $SMOLAGENTS_DOCKER_DIR/docker.sock (default /var/lib/smolagents-docker).
#   - the root filesystem (debootstrap minbase + python3, numpy, pandas, PIL) is kept as a tarball in
#     $SMOLAGENTS_DOCKER_CACHE (default /var/cache/smolagents) and imported as smolagents/python:bookworm.
# The engine is left running for later test runs (CI machines are fresh each time).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
apt_install docker.io debootstrap

STATE="${SMOLAGENTS_DOCKER_DIR:-/var/lib/smolagents-docker}"
CACHE="${SMOLAGENTS_DOCKER_CACHE:-/var/cache/smolagents}"
IMAGE="smolagents/python:bookworm"
export DOCKER_HOST="unix://$STATE/docker.sock"
mkdir -p "$STATE" "$CACHE"

engine_ready() { python3 - "$STATE/docker.sock" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
assert b"OK" in s.recv(4096)
PY
}

if ! engine_ready; then
  setsid nohup dockerd --data-root "$STATE/data" --exec-root "$STATE/exec" --host "$DOCKER_HOST" \
    --pidfile "$STATE/dockerd.pid" --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
    >"$STATE/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 120); do engine_ready && break; sleep 0.5; done
  engine_ready || { echo "40-docker: dockerd did not start; see $STATE/dockerd.log" >&2; tail -20 "$STATE/dockerd.log" >&2; exit 1; }
fi

image_present() { python3 - "$STATE/docker.sock" "$IMAGE" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(f"GET /images/{sys.argv[2]}/json HTTP/1.0\r\n\r\n".encode())
assert b" 200 " in s.recv(4096).split(b"\r\n")[0] + b" "
PY
}

if ! image_present; then
  ROOTFS_TAR="$CACHE/rootfs-bookworm-python.tar"
  if [ ! -s "$ROOTFS_TAR" ]; then
    MIRROR="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    MIRROR="${MIRROR:-http://deb.debian.org/debian}"
    ROOTFS="$(mktemp -d /var/tmp/smolagents-rootfs.XXXXXX)"
    debootstrap --variant=minbase --include=python3,python3-numpy,python3-pandas,python3-pil \
      bookworm "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
      || { echo "40-docker: debootstrap failed; see $CACHE/debootstrap.log" >&2; rm -rf "$ROOTFS"; exit 1; }
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
    tar -C "$ROOTFS" -cf "$ROOTFS_TAR.partial" . && mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
    rm -rf "$ROOTFS"
  fi
  python3 - "$STATE/docker.sock" "$IMAGE" "$ROOTFS_TAR" <<'PY'
import http.client, os, socket, sys, urllib.parse

class Unix(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(sys.argv[1])

repo, tag = sys.argv[2].split(":")
query = urllib.parse.urlencode({"fromSrc": "-", "repo": repo, "tag": tag})
connection = Unix("localhost", timeout=600)
with open(sys.argv[3], "rb") as body:
    connection.request("POST", f"/images/create?{query}", body=body,
                       headers={"Content-Type": "application/x-tar", "Content-Length": str(os.path.getsize(sys.argv[3]))})
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    if response.status != 200 or "error" in text.lower():
        sys.exit(f"40-docker: image import failed: {response.status} {text[-500:]}")
PY
fi
echo "40-docker: engine at $DOCKER_HOST, image $IMAGE ready"
