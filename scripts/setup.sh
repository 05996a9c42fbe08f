#!/usr/bin/env bash
# Installs what the lab and the tests need on a fresh Debian 12 machine (as root), then npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (it installs Debian packages)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start sshd, vpnserver or radvd on this machine itself: only lab
# hosts run them. A policy-rc.d that denies starts does that; ours is removed afterwards.
made_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
fi
trap '[ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT
missing=$(grep -v '^#' scripts/packages.txt | xargs dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 2>/dev/null | awk '$2 != "ii" {print $1}' || true)
want=$(grep -v '^#' scripts/packages.txt | xargs)
if [ -n "$missing" ] || [ "$(grep -v '^#' scripts/packages.txt | xargs dpkg-query -W 2>/dev/null | wc -l)" -lt "$(echo $want | wc -w)" ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends $want
fi
npm ci --no-audit --no-fund
