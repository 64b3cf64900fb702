#!/usr/bin/env bash
# Installs the Python tools tests check admon's output with, from PyPI, into target/test-venv
# when missing: html5lib (MIT; resolves `admon inspect`'s element paths) and warcio
# (Apache-2.0; `warcio check` validates every WARC record admon writes).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/test-venv
if "$venv/bin/python" -c "import html5lib, warcio" 2>/dev/null; then exit 0; fi
echo "installing html5lib and warcio from PyPI into $venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "html5lib==1.1" "warcio==1.8.1"
