#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, to try `hydra/launcher=slurm` before a real cluster
# (docs/cluster.md). Needs Debian's slurm-wlm and munge packages (`apt-get install -y slurm-wlm munge`, as root).
#
#   scripts/local_slurm.sh start [SCRATCH]   # start munged (if none answers), slurmctld and slurmd; wait until idle
#   eval "$(scripts/local_slurm.sh env [SCRATCH])"   # point sbatch, sinfo, squeue, scancel at it
#   scripts/local_slurm.sh stop [SCRATCH]    # stop what `start` started (by the pids it wrote), nothing else
#
# SCRATCH (default $TG_BENCH_SLURM_DIR, else /tmp/tg-bench-slurm) holds the cluster's slurm.conf, state, spool,
# logs, pid files and the completed-jobs log (`jobcomp.log`: one line per finished job, its id and state).
# Ports: $TG_BENCH_SLURM_PORT (slurmctld, default 6817) and the next one (slurmd).
set -euo pipefail

command=${1:-}
scratch=${2:-${TG_BENCH_SLURM_DIR:-/tmp/tg-bench-slurm}}
port=${TG_BENCH_SLURM_PORT:-6817}
conf="$scratch/slurm.conf"

fail() {
  echo "local_slurm.sh: $*" >&2
  exit 2
}

stop_pid_file() {
  # stops the process whose pid the file holds, waiting up to 10 s, then removes the file
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

write_conf() {
  local host cpus memory
  host=$(hostname -s)
  # what slurmd finds on this node, so that the node registers without a mismatch
  cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
  memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
  cat > "$conf" <<EOF
# written by scripts/local_slurm.sh: a single-node cluster in $scratch
ClusterName=tgbench
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/run/slurmctld.pid
SlurmdPidFile=$scratch/run/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
JobCompType=jobcomp/filetxt
JobCompLoc=$scratch/log/jobcomp.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  for tool in munged munge unmunge slurmctld slurmd sinfo sbatch; do
    command -v "$tool" >/dev/null || fail "$tool not found: install Debian's slurm-wlm and munge packages"
  done
  [[ $(id -u) == 0 ]] || fail "run as root (slurmctld and slurmd run as SlurmUser=root here)"
  [[ -f /etc/munge/munge.key ]] || fail "no /etc/munge/munge.key (the munge package creates one; or: mungekey -c)"
  mkdir -p "$scratch"/{state,spool,log,run}
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    mkdir -p /run/munge
    munged --force --pid-file="$scratch/run/munged.pid"
  fi
  write_conf
  SLURM_CONF=$conf slurmctld -f "$conf"
  SLURM_CONF=$conf slurmd -f "$conf"
  for _ in $(seq 120); do
    state=$(SLURM_CONF=$conf sinfo -h -o %t 2>/dev/null | head -1 || true)
    if [[ $state == idle ]]; then
      echo "local SLURM cluster up in $scratch (node $(hostname -s), partition debug); SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  fail "the node did not become idle within 60 s (state '${state:-none}'; see $scratch/log/)"
}

stop() {
  stop_pid_file "$scratch/run/slurmd.pid"
  stop_pid_file "$scratch/run/slurmctld.pid"
  stop_pid_file "$scratch/run/munged.pid"
  echo "local SLURM cluster in $scratch stopped"
}

case $command in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) fail "usage: scripts/local_slurm.sh start|stop|env [SCRATCH]" ;;
esac
