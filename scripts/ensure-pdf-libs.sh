#!/usr/bin/env bash
# The board pack PDF is rendered on the server by WeasyPrint, which needs Pango (with Cairo
# and HarfBuzz) and a font from the system. Install Debian's packages when missing and we
# may, as ensure-chromium.sh does for the browser; otherwise say exactly what to install.
set -eu
if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' \
  && ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' \
  && fc-list 2>/dev/null | grep -qi dejavu; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's Pango and a font for the PDF board pack (WeasyPrint)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-dejavu-core >/dev/null
  exit 0
fi
echo "The PDF board pack needs Pango and a font (WeasyPrint): on Debian or Ubuntu run" >&2
echo "  'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core';" >&2
echo "on macOS 'brew install pango'; see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html" >&2
exit 1
