#!/usr/bin/env bash
# Installs codev's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are left as they are. Runs as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config help2man
  libeigen3-dev libtbb-dev libyaml-cpp-dev libhdf5-dev catch2 librandom123-dev libcli11-dev
  libbenchmark-dev
  libopenmpi-dev openmpi-bin
  python3 python3-h5py python3-numpy python3-xarray python3-h5netcdf python3-matplotlib
  python3-yaml  # tools/projection.py reads the scenario a run file stores
  # The tests drive the output the way users do: netCDF-C's ncdump, NCO, netCDF4-python and
  # udunits (tests/python/check_netcdf.py), xmllint (the HTML report).
  netcdf-bin nco python3-netcdf4 udunits-bin libxml2-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "install-deps: all ${#packages[@]} packages present"; exit 0; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
