#!/usr/bin/env bash
# The isolated executor (executor_type="isolated"): bubblewrap for the namespaces, libseccomp for
# the worker's seccomp filter (used through the pyseccomp package of the `isolated` extra).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
apt_install bubblewrap libseccomp2
# Unprivileged user namespaces must be on for bubblewrap (they are on Debian; report if not).
if [ -r /proc/sys/kernel/unprivileged_userns_clone ] && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
  echo "20-sandbox: kernel.unprivileged_userns_clone=0; the isolated executor needs user namespaces" >&2
fi
bwrap --unshare-all --unshare-user --die-with-parent --ro-bind /usr /usr --symlink usr/lib /lib \
  --symlink usr/lib64 /lib64 --symlink usr/bin /bin /bin/true
