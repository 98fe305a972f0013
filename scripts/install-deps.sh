#!/bin/bash
# Installs what jobslib needs from Debian 12's packages, and nothing that is already there.
#   scripts/install-deps.sh build   # to build and run runjob
#   scripts/install-deps.sh test    # also what the test suite uses
# Idempotent: a second run installs nothing and does not even update the package lists.
set -euo pipefail
what=${1:-test}
# Qt HTTP Server's CMake package needs the WebSockets one (Debian 12 does not pull it in).
# The dashboard: Widgets (in qt6-base-dev), Charts (its CMake package needs Qt OpenGL's, which
# qt6-charts-dev does not pull in: libqt6opengl6-dev), the Linguist tools for its catalogs
# (qt6-tools-dev's CMake package, qt6-l10n-tools' lupdate/lrelease), Qt's own catalogs for the
# dialog buttons, and a font, without which a fresh machine draws no text at all.
build=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qtkeychain-qt6-dev
  qt6-charts-dev libqt6opengl6-dev libgl-dev libegl-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-translations-l10n fonts-dejavu-core)
# influxdb, etcd-server: the real servers the metrics and etcd tests start; python3-prometheus-client: a
# /metrics parser nobody here wrote.
# The packaging checks: systemd-analyze (with man, for the unit's Documentation=), appstreamcli, groff,
# dpkg-shlibdeps and file (CPack's DEB generator needs both), desktop-file-validate. doxygen: the
# reference manual, whose test fails on any undocumented public member. clang-14 with
# libclang-rt-14-dev (libFuzzer and the sanitizers' runtimes, only recommended by clang, so named)
# and llvm-14 (llvm-symbolizer, for file:line in reports): scripts/fuzz.sh.
test=(util-linux procps coreutils python3 python3-consul python3-prometheus-client influxdb etcd-server dbus gnome-keyring openssl
  systemd man-db appstream groff-base dpkg-dev file desktop-file-utils doxygen
  clang-14 libclang-rt-14-dev llvm-14)
case $what in
  build) wanted=("${build[@]}") ;;
  test) wanted=("${build[@]}" "${test[@]}") ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  [[ $(id -u) == 0 ]] || { echo "install-deps: run as root (or install: ${missing[*]})" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
