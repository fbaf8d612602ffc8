#!/usr/bin/env bash
# Install the Debian packages the tests need: Chromium for the report-site browser test and a CJK
# font so Chinese renders in figures. Does nothing when they are already there.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || needed+=(fonts-noto-cjk)
command -v fc-list >/dev/null 2>&1 || needed+=(fontconfig)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: need root to apt-get install ${needed[*]} (or install them yourself)" >&2
  exit 1
fi
echo "install-system-deps: installing ${needed[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
