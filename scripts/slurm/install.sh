#!/usr/bin/env bash
# Idempotent, non-interactive install of a single-node SLURM (Debian/Ubuntu packages).
#   slurm-wlm     -> slurmctld + slurmd + client tools (sbatch, squeue, sinfo, scontrol, ...)
#   munge         -> authentication daemon SLURM uses between its daemons/clients
# Safe to re-run: exits fast when everything is already installed.
# Usage: sudo scripts/slurm/install.sh   (root is required for apt-get)
set -euo pipefail

PKGS=(slurm-wlm munge)
# Binaries our scripts/tests need; if all are present we skip apt entirely.
NEEDED_BINS=(slurmctld slurmd munged mungekey sbatch squeue sinfo scontrol scancel)

missing=()
for b in "${NEEDED_BINS[@]}"; do
    command -v "$b" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$b" >/dev/null 2>&1 || missing+=("$b")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "[slurm/install] already installed: $(dpkg-query -W -f='${Package} ${Version}\n' slurm-wlm munge 2>/dev/null | tr "\n" " ")"
    exit 0
fi
echo "[slurm/install] missing binaries: ${missing[*]} -> installing ${PKGS[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "[slurm/install] need root or sudo" >&2; exit 1; }
    SUDO=(sudo -E)
fi

export DEBIAN_FRONTEND=noninteractive
# Don't let package postinst scripts try to start services (no systemd in containers/CI VMs;
# start_cluster.sh starts the daemons itself with our own config).
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod +x "$POLICY"
    created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT

"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${PKGS[@]}"

echo "[slurm/install] installed: $(dpkg-query -W -f='${Package} ${Version}\n' slurm-wlm munge | tr "\n" " ")"
