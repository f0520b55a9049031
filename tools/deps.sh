#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/deps.sh — install the Debian packages Facet needs, only those missing.
#
# Usage: tools/deps.sh [--check]
#   --check  only report what is missing (exit 1 if anything is)
# The make targets call this script, so a fresh Debian 12 machine needs
# nothing installed by hand. Without root it prints the apt-get line and stops.
set -eu

# One list: build, boot, debug, grade, later stages (Bochs for EPT, musl and
# busybox for the Linux personality).
PKGS="gcc make binutils libc6-dev gdb
qemu-system-x86 qemu-user grub-pc-bin grub-common xorriso mtools
bats bats-assert bats-support
musl-tools busybox-static bash-static zsh-static sash mksh golang-go
bochs bochsbios vgabios bochs-term
cpio procps zip python3"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--check" ]; then
    echo "deps: missing:$missing" >&2
    exit 1
fi

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps: these Debian packages are missing:$missing" >&2
    echo "deps: run as root:  apt-get update && $line" >&2
    exit 1
fi

echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Update the package lists once; an install from stale lists fails on a fresh machine.
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
