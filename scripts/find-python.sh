#!/usr/bin/env bash
# Print the path of a Python >= 3.12 found on this machine, or explain what to install.
# Looks on PATH first, then in pyenv's versions (not on PATH until selected); prefers the
# oldest suitable minor version, which has the widest choice of prebuilt scientific wheels.
set -u
candidates=()
for name in python3.12 python3.13 python3.14 python3; do
  command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
done
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | sort -V); do
    prefix=$(pyenv prefix "$v" 2>/dev/null) && candidates+=("$prefix/bin/python")
  done
fi
root=${PYENV_ROOT:-$HOME/.pyenv}
for p in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -V); do candidates+=("$p/bin/python"); done
for p in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do [ -x "$p" ] && candidates+=("$p"); done

for py in "${candidates[@]}"; do
  if [ -x "$py" ] && "$py" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$py"
    exit 0
  fi
done
echo "No Python >= 3.12 found (looked on PATH and in pyenv's versions)." >&2
echo "Install one, e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv', then retry." >&2
exit 1
