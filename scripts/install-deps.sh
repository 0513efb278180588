#!/bin/sh
# Install the Debian packages sm needs to build and test, when any is missing.
set -eu
PKGS="build-essential pkg-config libsndfile1-dev libmpg123-dev sndfile-programs libsamplerate0-dev
libopenblas-dev libcurl4-openssl-dev jq gojq bats bats-support bats-assert
bats-file mandoc shellcheck strace bubblewrap time python3
wamerican wbritish wamerican-large wbritish-large
pocketsphinx-en-us pocketsphinx sphinxbase-utils pocketsphinx-testdata
asterisk-core-sounds-en asterisk-core-sounds-en-wav asterisk-core-sounds-en-g722
ffmpeg sox clang libclang-rt-14-dev podman runc parallel openssl
python3-jsonschema python3-yaml
procps curl man-db hedgewars-data"
# procps (pgrep, tests/sm-transcribe.bats) is listed though another package
# of the list pulls it in today; curl (tests/sm-fetch.bats) and man-db (man,
# tests/install.bats) are not, and a minimal Debian 12 lacks all three.
# Commands the tests run, as COMMAND:PACKAGE: the package is installed only
# when the command is missing (Node.js may come from elsewhere, such as
# NodeSource's nodejs, which bundles npm and conflicts with Debian's).
CMDS="node:nodejs npm:npm"
# The installed ones, asked of dpkg once (make check runs this each time:
# one dpkg-query per package cost a second or two of CPU for nothing).
nl='
'
# shellcheck disable=SC2086 # the packages' names have no blanks
installed=$nl$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' $PKGS 2>/dev/null |
	sed -n 's/^installed //p')$nl
missing=
for p in $PKGS; do
	case $installed in *"$nl$p$nl"*) ;; *) missing="$missing $p" ;; esac
done
for c in $CMDS; do
	command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
