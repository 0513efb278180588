#!/bin/sh
# Prepare the root file system of the container image in DIR (the build
# context of Containerfile): the installed programs (make install DESTDIR),
# the host's programs the job runs (sh, gojq, jq, a few coreutils), every shared
# library they load, the model files the installed language packs name, and a
# minimal /etc.  Debian's merged /usr layout; /tmp and /home/smuser mode 1777.
#   usage: scripts/image-root.sh DIR PREFIX   (run by make image)
set -eu
[ $# -eq 2 ] || { echo "usage: scripts/image-root.sh DIR PREFIX" >&2; exit 64; }
root=$1 prefix=$2
case $root in /*) ;; *) root=$(pwd)/$root ;; esac
rm -rf "$root"
mkdir -p "$root"
${MAKE:-make} -s install DESTDIR="$root" PREFIX="$prefix" >/dev/null

cd "$root"
mkdir -p usr/bin usr/lib/x86_64-linux-gnu usr/lib64 etc tmp home/smuser
ln -s usr/bin bin
ln -s usr/bin sbin
ln -s usr/lib lib
ln -s usr/lib64 lib64
# The job's FIFOs go to TMPDIR, /home/smuser or /tmp (sm-transcribe(1)):
# both sticky and writable by any uid, as the recipes mount tmpfs on either.
chmod 1777 tmp home/smuser

# What sm-transcribe runs besides the stages: POSIX sh (dash), gojq (jq for
# whoever runs the image's shell, and if gojq is missing there), and the
# utilities it calls (setsid: each stage in a process group of its own; sleep:
# the deadline; mv: --all-formats renames; tee and awk: diarization's copies
# and channel merge; head, od and tr: the first bytes of standard input with
# channel diarization; nproc: the CPUs --parallel may use); sm-fetch in an
# init container needs sh for redirection.
tools="dash gojq jq cat mktemp mkfifo rm sed getconf nproc env setsid sleep mv tee awk head od tr"
for t in $tools; do
	p=$(command -v "$t")
	cp -L "$p" "usr/bin/$t"
done
ln -s dash usr/bin/sh

# Copy FILE to the same path under the root, /lib and /bin folded into /usr.
put() {
	case $1 in /usr/*) d=${1#/} ;; *) d=usr${1} ;; esac
	[ -e "$d" ] && return 0
	mkdir -p "$(dirname "$d")"
	cp -L --preserve=mode,timestamps "$1" "$d"
}

# Every shared library (and the loader) of every program in the image, and
# of libcurl, which sm-fetch loads itself (dlopen) for http and https URLs.
curl=$(ldconfig -p | awk '$1 == "libcurl.so.4" && /x86-64/ { print $NF; exit }')
[ -n "$curl" ] || { echo "image-root.sh: libcurl.so.4 not found (ldconfig -p)" >&2; exit 69; }
for f in usr/bin/* ".$prefix"/bin/* "$curl"; do
	head -c 4 "$f" | grep -q ELF || continue
	case $f in /*) put "$f" ;; esac
	ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
	put "$lib"
done
printf '/usr/lib/x86_64-linux-gnu\n' >etc/ld.so.conf
ldconfig -r "$root"

# The model files each installed pack names by absolute path, with their
# timestamps: the search image's fingerprint checks size and mtime.
for conf in ".$prefix"/share/sm/models/*/pack.conf; do
	sed -n 's/^[[:space:]]*\(hmm\|dict\|lm\)[[:space:]]*=[[:space:]]*\(\/[^[:space:]]*\).*/\2/p' "$conf"
done | sort -u | while read -r p; do
	if [ -d "$p" ]; then
		mkdir -p ".$p"
		cp -R --preserve=mode,timestamps "$p/." ".$p/"
	else
		put "$p"
	fi
done

# Certificates for https fetches.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	mkdir -p etc/ssl/certs
	cp -L /etc/ssl/certs/ca-certificates.crt etc/ssl/certs/
fi

# Accounts: root and the default user; any other uid works without an entry.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/smuser:/usr/sbin/nologin\n' >etc/passwd
printf 'root:x:0:\nnonroot:x:65532:\n' >etc/group
