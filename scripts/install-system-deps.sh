#!/usr/bin/env bash
# Install Debian packages trustlab needs beyond Python, each only if missing:
#   fonts     a CJK font (fonts-noto-cjk), so Chinese in figures is drawn (make report, make fonts)
#   chromium  Chromium, for the report-site browser test and --pdf (make system-deps, with the fonts)
#   node      Node.js with npm, for the page checkers of package-lock.json (make node-deps)
# With no argument, both. Does nothing when what was asked for is already there.
set -euo pipefail
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(fonts chromium)
needed=()
for part in "${parts[@]}"; do
  case "$part" in
    fonts)
      command -v fc-list >/dev/null 2>&1 || needed+=(fontconfig)
      fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || needed+=(fonts-noto-cjk)
      ;;
    chromium)
      command -v chromium >/dev/null 2>&1 || needed+=(chromium)
      ;;
    node)
      command -v npm >/dev/null 2>&1 || needed+=(nodejs)
      ;;
    *)
      echo "install-system-deps: unknown part '$part' (expected fonts, chromium or node)" >&2
      exit 2
      ;;
  esac
done
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
