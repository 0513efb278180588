#!/bin/sh
# The README's set-up commands on a machine that has none of the packages
# (`make fresh-check`; README.md, "Set-up on a fresh Debian 12 machine").
#
# 1. A minimal Debian 12 root (mmdebstrap --variant=minbase bookworm, plus
#    `make`, the one thing a user must add to type the commands) is made
#    once from the Debian archive that this host's apt sources point at and
#    cached outside the tree, as a tarball under $SM_FRESH_CACHE
#    (/var/cache/sm-fresh-root); mmdebstrap is installed on the host if
#    missing.  The cache is remade when its recipe changes or it is older
#    than $SM_FRESH_MAX_AGE days (default 30).
# 2. A throwaway copy of that root gets a `git clone` of the committed HEAD
#    (not the working tree) at /root/sm.
#    The host's npm cache is copied to the root's (see below).
# 3. The indented command lines of the README's set-up section, read from
#    the committed README.md at run time, run there one after the other,
#    each with `sh -c`, as root, with the network, inside bubblewrap (the
#    root bound read-write as /, fresh /dev, /proc, /run and /dev/shm, the
#    host's /etc/resolv.conf, and /sys: podman's runc wants the cgroups).
# 4. Each command's wall time and exit status are printed; the check fails
#    if either fails.
# 5. The throwaway root is removed (the cache is kept).
#
# Inside, every suite runs: the podman suites (container, k8s) and the
# bubblewrap ones (lockdown, faults, install) work nested; the one skip is
# long.bats's opt-in 2-hour test (SM_LONG_2H=1), as on any machine.
#
# Runs as root (it installs packages on the host and in the root).  It
# takes about as long as the README's own commands (the packages' download
# and install, a first build, make check), plus about a minute to make the
# root the first time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SM_FRESH_CACHE:-/var/cache/sm-fresh-root}
max_age=${SM_FRESH_MAX_AGE:-30}
suite=bookworm
include=make

die() { echo "fresh-check: $*" >&2; exit 1; }
say() { echo "fresh-check: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and makes a root file system)"

need() { # program package
	command -v "$1" >/dev/null 2>&1 && return 0
	say "installing $2 on the host"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
}
need mmdebstrap mmdebstrap
need bwrap bubblewrap
need git git

# The Debian archive (and security archive) this host's apt already uses,
# from sources.list and the deb822 *.sources files: the URI of the entries
# whose suites are bookworm and bookworm-security.
sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\)[[:space:]]\{1,\}\([^[:space:]]*\).*/\2 \3/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() { if (deb && en) for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]; deb = 0; en = 1; nu = ns = 0 }
			BEGIN { en = 1 }
			/^[[:space:]]*#/ { next }
			/^[[:space:]]*$/ { flush(); next }
			{ k = tolower($1); sub(/:$/, "", k) }
			k == "types" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			k == "enabled" { en = (tolower($2) != "no") }
			k == "uris" { for (i = 2; i <= NF; i++) u[++nu] = $i }
			k == "suites" { for (i = 2; i <= NF; i++) s[++ns] = $i }
			END { flush() }' "$f"
	done
}
mirror=$(sources | awk -v s="$suite" '$2 == s { print $1; exit }')
security=$(sources | awk -v s="$suite-security" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || die "no apt source for $suite in /etc/apt/sources.list(.d)"
mirror=${mirror%/}
set -- "deb $mirror $suite main" "deb $mirror $suite-updates main"
[ -z "$security" ] || set -- "$@" "deb ${security%/} $suite-security main"

# The cached root, remade when its recipe (suite, packages, sources) changes;
# one check at a time makes it, the others wait.
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
tarball=$cache/$suite-minbase.tar
recipe="mmdebstrap --variant=minbase --include=$include $suite $*"
if [ -f "$tarball" ] && [ "$(cat "$cache/recipe" 2>/dev/null)" = "$recipe" ] &&
	[ -z "$(find "$tarball" -mtime +"$max_age")" ]; then
	say "reusing the cached root $tarball"
else
	say "making the root: $recipe"
	t0=$(date +%s)
	rm -rf "$tarball" "$tarball.tmp" "$cache/recipe"
	mmdebstrap --quiet --format=tar --variant=minbase --include="$include" "$suite" "$tarball.tmp" "$@" ||
		{ rm -rf "$tarball.tmp"; die "mmdebstrap failed"; }
	mv "$tarball.tmp" "$tarball"
	printf '%s\n' "$recipe" >"$cache/recipe"
	say "root made in $(($(date +%s) - t0)) s"
fi
exec 9>&-

# The throwaway root, next to the cache (same file system, not a tmpfs).
work=$(mktemp -d "$cache/run.XXXXXX")
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$work/root
mkdir "$root"
tar -C "$root" -xf "$tarball"

# A clean clone of the committed HEAD.
head=$(git -C "$top" rev-parse HEAD)
git clone -q --no-checkout "$top" "$root/root/sm"
git -C "$root/root/sm" checkout -q --detach "$head"
say "cloned $(git -C "$top" log -1 --format='%h %s' | cut -c1-72)"

# tests/k8s.bats installs its validator's packages with `npm ci`, from npm's
# registry on a user's machine; where the network reaches only Debian's
# archive, from a copy of this host's npm cache ($SM_FRESH_NPM_CACHE).
npm_cache=${SM_FRESH_NPM_CACHE:-$(npm config get cache 2>/dev/null || echo "$HOME/.npm")}
if [ -d "$npm_cache/_cacache" ]; then
	mkdir -p "$root/root/.npm"
	cp -R "$npm_cache/_cacache" "$root/root/.npm/"
	say "npm cache: a copy of $npm_cache"
fi

# The README's two commands, from the committed README.md: the indented
# lines of the set-up section.
git -C "$root/root/sm" show HEAD:README.md |
	awk '/^## / { on = ($0 == "## Set-up on a fresh Debian 12 machine") ; next }
		on && /^    [^ ]/ { sub(/^    /, ""); print }' >"$work/commands"
n=$(wc -l <"$work/commands")
[ "$n" -eq 2 ] || die "expected 2 commands in README.md's set-up section, found $n"

# /proc is mounted inside, plainly, rather than with bwrap's --proc: that
# one covers /proc/sys and others with read-only bind mounts, and the kernel
# then refuses a new proc mount in a new user namespace (EPERM), which is
# what tests/lockdown.bats's unprivileged bubblewrap sandboxes need.  bwrap
# run by root keeps root's capabilities, so the mount and the root-run
# bubblewrap of tests/faults.bats work.
inside() {
	bwrap --bind "$root" / --dev /dev --tmpfs /dev/shm --tmpfs /run --bind /sys /sys \
		--ro-bind /etc/resolv.conf /etc/resolv.conf \
		--unshare-pid --unshare-ipc --unshare-uts --hostname fresh --die-with-parent \
		--chdir /root/sm --clearenv --setenv HOME /root --setenv USER root --setenv LOGNAME root \
		--setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--setenv TERM dumb --setenv SHELL /bin/sh -- \
		/bin/sh -c 'mount -t proc proc /proc && exec "$@"' sh "$@"
}

status=0 i=0 summary= start=$(date +%s)
while IFS= read -r cmd; do
	i=$((i + 1))
	say "command $i: $cmd"
	t0=$(date +%s)
	st=0
	inside sh -c "$cmd" </dev/null || st=$?
	t=$(($(date +%s) - t0))
	line="command $i: exit $st after $((t / 60)) min $((t % 60)) s: $cmd"
	say "$line"
	summary="$summary$line
"
	[ "$st" -eq 0 ] || status=1
done <"$work/commands"
printf '%s' "$summary" | sed 's/^/fresh-check: /' >&2
t=$(($(date +%s) - start))
say "both commands: $((t / 60)) min $((t % 60)) s"
[ "$status" -eq 0 ] && say "ok: both README commands passed on a fresh $suite root" ||
	say "FAILED: a README command failed on a fresh $suite root"
exit "$status"
