#!/bin/sh
echo "script args: $# $*"
for a in "$@"; do echo "[$a]"; done
exit 3
