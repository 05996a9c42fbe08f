#!/usr/bin/env bash
# Installs what the lab and the tests need on a fresh Debian 12 machine (as root), then the npm packages.
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
apt-get update -q
# firewalld's package enables it: on this machine it would filter the lab's traffic (lab hosts
# start it themselves where a test wants it); left as it was where it was installed before
had_firewalld=$(dpkg-query -W -f '${Status}' firewalld 2>/dev/null | grep -c 'ok installed' || true)
apt-get install -y -q --no-install-recommends $(grep -v '^#' scripts/packages.txt)
[ "$had_firewalld" = 1 ] || systemctl disable -q firewalld.service
# .deb files that lab tests install for real inside a host from a local mirror (a lab host
# otherwise sees every package of this machine already installed)
debs=$(grep -v '^#' scripts/lab-debs.txt)
mkdir -p /var/cache/homecloud-lab/debs
(cd /var/cache/homecloud-lab/debs && apt-get download -q $debs)
npm ci --no-audit --no-fund
