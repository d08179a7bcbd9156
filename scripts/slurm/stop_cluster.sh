#!/usr/bin/env bash
# Stop the single-node SLURM test cluster started by start_cluster.sh. Idempotent.
#   scripts/slurm/stop_cluster.sh             # cancel jobs, stop slurmd, slurmctld, munged
#   scripts/slurm/stop_cluster.sh --keep-munge  # leave munged running (e.g. shared with other users)
#   scripts/slurm/stop_cluster.sh --purge       # also delete the state dir ($PFOCR_SLURM_DIR)
# Only processes recorded in our pid files are signalled (never pkill by name).
# /etc/slurm/slurm.conf is left in place (harmless; start_cluster.sh rewrites it).
set -euo pipefail

STATE_DIR="${PFOCR_SLURM_DIR:-/tmp/pfocr-slurm}"
export PATH="$PATH:/usr/sbin:/sbin"
KEEP_MUNGE=0; PURGE=0
for a in "$@"; do
    case "$a" in
        --keep-munge) KEEP_MUNGE=1 ;;
        --purge) PURGE=1 ;;
        *) echo "usage: $0 [--keep-munge] [--purge]" >&2; exit 2 ;;
    esac
done
log() { echo "[slurm/stop] $*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "ERROR: must run as root"; exit 1; }
if [ -f "$STATE_DIR/slurm.conf" ] && { [ ! -f /etc/slurm/slurm.conf ] || ! cmp -s "$STATE_DIR/slurm.conf" /etc/slurm/slurm.conf; }; then
    export SLURM_CONF="$STATE_DIR/slurm.conf"   # start_cluster.sh fell back to the state-dir copy
fi

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

stop_pidfile() {  # $1 pidfile, $2 name
    if pid_alive "$1"; then
        local pid; pid="$(cat "$1")"
        log "stopping $2 (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$2 did not exit after 10s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    else
        log "$2 not running"
    fi
    rm -f "$1"
}

# 1. cancel all jobs while the controller is still up, and let slurmd reap them
if pid_alive "$STATE_DIR/run/slurmctld.pid" && command -v scancel >/dev/null; then
    n=$( (squeue -h -o %i 2>/dev/null || true) | wc -l)
    if [ "$n" -gt 0 ]; then
        log "cancelling $n job(s)"
        mapfile -t jobs < <(squeue -h -o %i 2>/dev/null || true)
        scancel --full --quiet "${jobs[@]}" 2>/dev/null || true
        for _ in $(seq 1 40); do
            [ "$(squeue -h -t PD,R,CG,CF,S -o %i 2>/dev/null | wc -l)" -eq 0 ] && break
            sleep 0.25
        done
    fi
fi

# 2. slurmd first (so it doesn't flag the node down), then the controller
stop_pidfile "$STATE_DIR/run/slurmd.pid" slurmd
stop_pidfile "$STATE_DIR/run/slurmctld.pid" slurmctld

# 3. munged (started by start_cluster.sh at the default socket)
if [ "$KEEP_MUNGE" = 0 ]; then
    if pid_alive /run/munge/munged.pid; then
        stop_pidfile /run/munge/munged.pid munged
        rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
    else
        log "munged not running"
    fi
fi

if [ "$PURGE" = 1 ]; then
    case "$STATE_DIR" in
        /|"") log "refusing to purge '$STATE_DIR'" ;;
        *) log "removing $STATE_DIR"; rm -rf -- "$STATE_DIR" ;;
    esac
fi
log "cluster stopped"
