#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every package ringside needs to build, test and benchmark, from Debian's archive.
# Usage: ./install-deps.sh            (as root, or as a user who may run sudo)
set -eu

packages="
	autoconf automake make gcc pkg-config
	libncurses-dev libpfm4-dev libdw-dev libelf-dev libtraceevent-dev libjansson-dev zlib1g-dev
	libcmocka-dev libiberty-dev libcapstone-dev
	libsqlite3-dev sqlite3
	mandoc tmux jq linux-perf procps util-linux htop btop strace time tiptop
	chromium chromium-driver python3 firefox-esr
	clang libclang-rt-14-dev
	protobuf-c-compiler libprotobuf-c-dev golang-go libcurl4-openssl-dev
"

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps.sh: run this as root (or install sudo) to install packages with apt-get" >&2
	exit 1
fi

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps.sh: all packages already installed"
	exit 0
fi
echo "install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086
$as_root apt-get install -y -q --no-install-recommends $missing
