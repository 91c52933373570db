#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (no browser download).
# Install it when missing and we may; otherwise say exactly what to install.
set -eu
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium'." >&2
exit 1
