#!/usr/bin/env bash
# Installs the Debian packages the portal needs, only those missing. Usage:
#   scripts/install-system-deps.sh base      WeasyPrint libraries, fonts, poppler (pdftotext)
#   scripts/install-system-deps.sh servers   PostgreSQL, Redis and nginx (CI, production-like tests)
#   scripts/install-system-deps.sh browser   Debian's Chromium (browser tests)
set -euo pipefail
declare -A SETS=(
  [base]="python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils"
  [servers]="postgresql redis-server nginx"
  [browser]="chromium"
)
missing=()
for set in "$@"; do
  for pkg in ${SETS[$set]}; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
