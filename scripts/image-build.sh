#!/bin/sh
# Build the container image IMAGE from Containerfile on the root file system
# in DIR (scripts/image-root.sh), with podman.  The image carries a hash of
# DIR's contents; when IMAGE already has that hash nothing is rebuilt.  A
# replaced image is removed, so repeated builds leave nothing behind.
#   usage: scripts/image-build.sh DIR IMAGE   (run by make image)
set -eu
[ $# -eq 2 ] || { echo "usage: scripts/image-build.sh DIR IMAGE" >&2; exit 64; }
dir=$1 image=$2
hash=$(cd "$dir" && { find . -type l -printf '%p -> %l\n'; find . -printf '%p %m\n'; \
	find . -type f -print0 | xargs -0 sha256sum; } | LC_ALL=C sort | sha256sum | cut -c1-32)
old=$(podman image inspect --format '{{.Id}} {{index .Labels "sm.tree"}}' "$image" 2>/dev/null || true)
if [ "${old#* }" = "$hash" ]; then
	echo "image-build: $image is up to date" >&2
	exit 0
fi
podman build -q --layers=false --label "sm.tree=$hash" -f Containerfile -t "$image" "$dir" >/dev/null
new=$(podman image inspect --format '{{.Id}}' "$image")
old=${old%% *}
if [ -n "$old" ] && [ "$old" != "$new" ]; then
	podman rmi "$old" >/dev/null 2>&1 || true
fi
# Builds that lost their name to a concurrent one.
podman images -q --filter dangling=true --filter label=sm.tree | while read -r id; do
	podman rmi "$id" >/dev/null 2>&1 || true
done
