#!/usr/bin/env bash
# Installs the Debian packages admon's demo and tests need, when missing: Chromium (rendering and
# browser tests), Noto CJK fonts (Chinese in screenshots), Redis (distributed crawling), and
# EasyList as webext-ublock-origin-chromium ships it (the filter list crawls run).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! { command -v fc-list >/dev/null && fc-list | grep -qi "Noto Sans CJK"; }; then missing+=(fonts-noto-cjk); fi
command -v redis-server >/dev/null || missing+=(redis-server)
# openssl: `store verify --tsa-ca` checks RFC 3161 time-stamps with it; tests run it as a TSA.
command -v openssl >/dev/null || missing+=(openssl)
# python3 -m venv, for warcio (scripts/test-python.sh).
python3 -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
[ -f /usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist/easylist.txt ] \
  || missing+=(webext-ublock-origin-chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
