#!/usr/bin/env bash
# Installs everything evpnd needs to build, test and run on Debian 12, as root.
# Idempotent: packages already present are not reinstalled and apt stays quiet.
#   scripts/setup.sh           build + test dependencies
#   scripts/setup.sh --peers   also the real BGP peers and capture tools used by tests and labs
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config ninja-build git
  libboost-dev libabsl-dev libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev libmnl-dev nlohmann-json3-dev
  clang libclang-rt-14-dev python3
)
# tshark checks our decoder against Wireshark's BGP dissector in the golden tests.
# ping and arping make hosts in test namespaces send frames (data-plane learning, VXLAN pings).
# Prometheus's own Python client parses our metrics endpoint's text in the API test.
test_pkgs=(tshark iproute2 tcpdump jq iputils-ping arping python3-prometheus-client)
peer_pkgs=(frr gobgpd exabgp)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
[[ "${1:-}" == "--peers" ]] && want+=("${peer_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: missing packages: ${missing[*]}; run as root (or install them with apt-get)" >&2
  exit 1
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
