#!/usr/bin/env bash
# SLURM smoke test for kinres (not part of pytest: CI has no SLURM).
#
# Brings up a throw-away one-node SLURM cluster on localhost (munged + slurmctld + slurmd,
# no slurmdbd), runs the demo batch through `snakemake --profile profiles/slurm` so every job
# goes through sbatch, runs the same batch locally, checks that the reports agree, and stops
# every daemon it started by PID. See docs/slurm.md.
#
# Usage (as root, Debian 12; installs `slurm-wlm munge` with apt-get if missing):
#   scripts/slurm_smoke.sh
# Knobs (environment): KINRES_SMOKE_DIR (work/log folder, default /tmp/kinres_slurm_smoke),
#   SLURM_RESULTS (/tmp/slurm_results), LOCAL_RESULTS (/tmp/local_results),
#   RUN_TIMEOUT (seconds per snakemake run, 600), DAEMON_TIMEOUT (hard cap on daemon life, 1800).
# Exit status 0 only if the cluster came up, every non-local job went through sbatch and
# finished COMPLETED, and the SLURM and local reports agree.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${KINRES_SMOKE_DIR:-/tmp/kinres_slurm_smoke}
SLURM_RESULTS=${SLURM_RESULTS:-/tmp/slurm_results}
LOCAL_RESULTS=${LOCAL_RESULTS:-/tmp/local_results}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
DAEMON_TIMEOUT=${DAEMON_TIMEOUT:-1800}
CONF=/etc/slurm/slurm.conf
MARK="# written by kinres scripts/slurm_smoke.sh"
# A non-default partition and a made-up account: seeing them on every job in squeue proves that
# `--default-resources slurm_partition=... slurm_account=...` reaches sbatch.
PARTITION=kinres_alt
ACCOUNT=kinres_smoke

log() { printf '[slurm_smoke %(%T)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

declare -A PIDS=()   # daemon name -> PID of its `timeout` wrapper (timeout forwards TERM)
WROTE_CONF=0
SAMPLER=""

teardown() {
    local rc=$?
    set +e
    [[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
    if [[ -n ${PIDS[slurmctld]:-} ]]; then
        # Jobs left over after a timeout would keep slurmstepd alive; this cluster is ours alone.
        squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null
        sleep 1
    fi
    for name in slurmd slurmctld munged; do
        local pid=${PIDS[$name]:-}
        [[ -z $pid ]] && continue
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        log "stopped $name (pid $pid)"
    done
    if (( WROTE_CONF )) && head -n1 "$CONF" 2>/dev/null | grep -qxF "$MARK"; then
        rm -f "$CONF"
    fi
    log "logs and evidence kept in $WORK"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for <seconds> <description> <command...>
    local secs=$1 what=$2; shift 2
    for _ in $(seq $((secs * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    die "$what did not come up within ${secs}s (see $WORK/log)"
}

start_daemon() {  # start_daemon <name> <command...>: foreground daemon under timeout -k
    local name=$1; shift
    timeout -k 10 "$DAEMON_TIMEOUT" "$@" >"$WORK/log/$name.out" 2>&1 &
    PIDS[$name]=$!
    log "started $name (pid ${PIDS[$name]})"
}

safe_results_dir() {  # refuse to rm -rf anything but an absolute, non-root scratch folder
    [[ $1 == /?*/* || $1 == /tmp/?* ]] || die "refusing to use '$1' as a scratch folder"
}

# --- preconditions ------------------------------------------------------------------------
(( EUID == 0 )) || die "run as root (slurmd and munged need it)"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm munge"
    DEBIAN_FRONTEND=noninteractive timeout -k 10 600 apt-get install -y slurm-wlm munge >/dev/null
fi
if [[ -e $CONF ]] && ! head -n1 "$CONF" | grep -qxF "$MARK"; then
    die "$CONF exists and was not written by this script; refusing to replace a real cluster's config"
fi
for port in 6817 6818; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is in use (another slurmctld/slurmd?)"
    fi
done
safe_results_dir "$SLURM_RESULTS"; safe_results_dir "$LOCAL_RESULTS"; safe_results_dir "$WORK"
rm -rf "$WORK"
mkdir -p "$WORK"/{state/ctld,state/d,log,slurm_logs}

# --- bring-up -----------------------------------------------------------------------------
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')   # slurmd rejects RealMemory > physical
mkdir -p "$(dirname "$CONF")"
# /etc/slurm/slurm.conf (not a SLURM_CONF elsewhere): the job step drops SLURM_CONF before srun.
cat >"$CONF" <<EOF
$MARK
ClusterName=kinres-smoke
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state/ctld
SlurmdSpoolDir=$WORK/state/d
SlurmctldPidFile=$WORK/state/slurmctld.pid
SlurmdPidFile=$WORK/state/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
# No cgroups in containers; no slurmdbd (job status comes from squeue, see profiles/slurm).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# Finished jobs stay visible to squeue for 5 minutes, so the executor sees COMPLETED/FAILED.
MinJobAge=300
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=$PARTITION Nodes=ALL Default=NO MaxTime=INFINITE State=UP
EOF
WROTE_CONF=1
log "wrote $CONF: node $HOST, $CPUS CPUs, RealMemory=$MEM MB"

if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "reusing the munged already running on this host"
else
    [[ -s /etc/munge/munge.key ]] || setpriv --reuid=munge --regid=munge --init-groups mungekey -c
    install -d -o munge -g munge -m 0755 /run/munge
    start_daemon munged setpriv --reuid=munge --regid=munge --init-groups munged -F
    wait_for 10 munged sh -c 'munge -n | unmunge'
fi
T0=$(date +%s.%N)
start_daemon slurmctld slurmctld -D
wait_for 20 slurmctld scontrol ping
start_daemon slurmd slurmd -D
wait_for 30 "node $HOST idle" sh -c "sinfo -h -n $HOST -p debug -o %T | grep -qx idle"
UP_SECS=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
sinfo | tee "$WORK/sinfo.txt" >&2

# --- a frozen copy of the checkout --------------------------------------------------------
# Both runs use the same snapshot so that edits to the live tree between them cannot make the
# reports differ; PYTHONPATH puts its src/ ahead of the editable install (sbatch exports it).
SNAP=$WORK/repo
mkdir -p "$SNAP"
tar -C "$REPO" --exclude=./.git --exclude=./.snakemake --exclude=./results --exclude=./logs \
    --exclude='__pycache__' --exclude=./.pytest_cache -cf - . | tar -C "$SNAP" -xf -
export PYTHONPATH="$SNAP/src${PYTHONPATH:+:$PYTHONPATH}"
KINRES_FROM=$(cd / && python -c 'import kinres, os; print(os.path.dirname(kinres.__file__))')
[[ $KINRES_FROM == "$SNAP/src/kinres" ]] || die "kinres imports from $KINRES_FROM, not the snapshot"

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- run through SLURM --------------------------------------------------------------------
# Both runs write to the same folder, which is then renamed: report.json records its inputs'
# absolute paths and checksums (and coverage.json the path of variants.json), so two different
# results folders could never give byte-identical reports.
RUN_RESULTS=$WORK/results
rm -rf "$SLURM_RESULTS" "$LOCAL_RESULTS" "$RUN_RESULTS"
# squeue once a second, as the executor sees it (capped by timeout like everything else here).
timeout -k 5 $((RUN_TIMEOUT + 60)) bash -c \
    "while :; do date +%T; squeue -h --states=all -o '%i|%j|%P|%a|%T|%N'; sleep 1; done" \
    >"$WORK/squeue.log" 2>&1 &
SAMPLER=$!
log "SLURM run -> $RUN_RESULTS (then $SLURM_RESULTS)"
T0=$(date +%s.%N)
set +e
(cd "$SNAP" && timeout -k 10 "$RUN_TIMEOUT" snakemake --profile profiles/slurm \
    --default-resources "slurm_partition=$PARTITION" "slurm_account=$ACCOUNT" \
    --slurm-logdir "$WORK/slurm_logs" --slurm-keep-successful-logs \
    --config "results=$RUN_RESULTS") >"$WORK/snakemake_slurm.log" 2>&1
RC=$?
set -e
SLURM_SECS=$(elapsed "$T0")
sleep 2   # one more squeue sample after the last job
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
(( RC == 0 )) || die "snakemake --profile profiles/slurm exited $RC (see $WORK/snakemake_slurm.log)"
mv "$RUN_RESULTS" "$SLURM_RESULTS"

# Evidence that the jobs really went through sbatch: the executor's submit lines, the
# controller's submit RPCs, one SLURM log per job, and squeue's view of partition/account/state.
mapfile -t JOBIDS < <(sed -n 's/.*has been submitted with SLURM jobid \([0-9]*\).*/\1/p' "$WORK/snakemake_slurm.log")
NJOBS=${#JOBIDS[@]}
(( NJOBS > 0 )) || die "no job was submitted through sbatch"
NRPC=$(grep -c '_slurm_rpc_submit_batch_job' "$WORK/log/slurmctld.log" || true)
NLOGS=$(find "$WORK/slurm_logs" -name '*.log' -type f | wc -l)
NRUNNING=$(awk -F'|' '$5 == "RUNNING" { print $1 }' "$WORK/squeue.log" | sort -u | wc -l)
bad=0
for id in "${JOBIDS[@]}"; do
    last=$(awk -F'|' -v id="$id" '$1 == id { l = $3 "|" $4 "|" $5 } END { print l }' "$WORK/squeue.log")
    [[ $last == "$PARTITION|$ACCOUNT|COMPLETED" ]] || { log "job $id last seen as '$last'"; bad=$((bad + 1)); }
done
(( NRPC == NJOBS )) || die "slurmctld logged $NRPC submissions, snakemake reported $NJOBS"
(( NLOGS == NJOBS )) || die "$NLOGS SLURM job logs for $NJOBS jobs"
(( bad == 0 )) || die "$bad of $NJOBS jobs not seen COMPLETED on $PARTITION/$ACCOUNT in squeue"
log "$NJOBS jobs via sbatch ($NRUNNING seen RUNNING in squeue), all COMPLETED on $PARTITION, ${SLURM_SECS}s"

# --- a failing job must come back as an error, not hang -----------------------------------
# One sample whose VCF has a broken POS: squeue must report the job FAILED, and
# show-failed-logs must surface kinres's message (file, line, problem).
awk 'BEGIN { FS = OFS = "\t" } /^#/ || $1 == "sample_id" { print; next }
     $1 == "P06-PL1" { $9 = "../.test/data/smoke_bad.vcf"; print }' \
    "$SNAP/config/samples.tsv" >"$SNAP/config/smoke_bad.tsv"
awk 'BEGIN { FS = OFS = "\t" } /^#/ { print; next } !done { $2 = "notanumber"; done = 1 } { print }' \
    "$SNAP/.test/data/P06-PL1.snpeff.vcf" >"$SNAP/.test/data/smoke_bad.vcf"
log "failing SLURM run (bad VCF)"
T0=$(date +%s.%N)
set +e
(cd "$SNAP" && timeout -k 10 "$RUN_TIMEOUT" snakemake --profile profiles/slurm \
    --default-resources "slurm_partition=$PARTITION" "slurm_account=$ACCOUNT" \
    --slurm-logdir "$WORK/slurm_logs_fail" \
    --config "results=$WORK/fail_results" samples=config/smoke_bad.tsv) >"$WORK/snakemake_fail.log" 2>&1
RC=$?
set -e
FAIL_SECS=$(elapsed "$T0")
rm -f "$SNAP/config/smoke_bad.tsv" "$SNAP/.test/data/smoke_bad.vcf"
(( RC != 0 )) || die "a run with a broken VCF succeeded"
(( RC != 124 && RC != 137 )) || die "the failing run hung until the timeout (see $WORK/snakemake_fail.log)"
grep -q "kinres error: .test/data/smoke_bad.vcf, line [0-9]*: POS is not a positive integer" \
    "$WORK/snakemake_fail.log" || die "the failed job's kinres error is not in $WORK/snakemake_fail.log"
grep -q "Error in rule patient_" "$WORK/snakemake_fail.log" || die "snakemake did not report the failed rule"
log "failing job reported as failed with kinres's message after ${FAIL_SECS}s (exit $RC)"

# --- the same batch locally ---------------------------------------------------------------
log "local run -> $RUN_RESULTS (then $LOCAL_RESULTS)"
T0=$(date +%s.%N)
(cd "$SNAP" && timeout -k 10 "$RUN_TIMEOUT" snakemake --cores 2 --config "results=$RUN_RESULTS") \
    >"$WORK/snakemake_local.log" 2>&1 || die "local snakemake run failed (see $WORK/snakemake_local.log)"
LOCAL_SECS=$(elapsed "$T0")
mv "$RUN_RESULTS" "$LOCAL_RESULTS"

# --- compare ------------------------------------------------------------------------------
diff <(cd "$SLURM_RESULTS" && find . -type f | sort) <(cd "$LOCAL_RESULTS" && find . -type f | sort) \
    >"$WORK/fileset.diff" || die "the two runs wrote different files (see $WORK/fileset.diff)"
count_same() {  # count_same <find -name pattern>: prints "<identical> <total>", logs differing files
    local same=0 total=0 rel
    while IFS= read -r rel; do
        total=$((total + 1))
        if cmp -s "$SLURM_RESULTS/$rel" "$LOCAL_RESULTS/$rel"; then
            same=$((same + 1))
        else
            log "DIFFERS: $rel"
            echo "$rel" >>"$WORK/differing_files.txt"
            diff "$SLURM_RESULTS/$rel" "$LOCAL_RESULTS/$rel" >>"$WORK/differences.diff" || true
        fi
    done < <(cd "$LOCAL_RESULTS" && find . -name "$1" -type f | sort)
    echo "$same $total"
}
read -r REPORTS_SAME REPORTS < <(count_same report.json)
read -r JSON_SAME JSONS < <(count_same '*.json')
read -r TSV_SAME TSVS < <(count_same '*.tsv')
(( REPORTS > 0 )) || die "no report.json written"

{
    echo "cluster: 1 node ($HOST, $CPUS CPUs, RealMemory $MEM MB), up in ${UP_SECS}s"
    echo "slurm run: $NJOBS jobs through sbatch ($NRPC submit RPCs, $NLOGS job logs," \
         "$NRUNNING seen RUNNING), ${SLURM_SECS}s wall"
    echo "failing run (broken VCF): exit $RC after ${FAIL_SECS}s with kinres's error in the log"
    echo "local run (--cores 2): ${LOCAL_SECS}s wall"
    echo "report.json: $REPORTS_SAME of $REPORTS byte-identical"
    echo "all JSON (reports + intermediates): $JSON_SAME of $JSONS byte-identical"
    echo "TSV tables: $TSV_SAME of $TSVS byte-identical"
    if [[ -s $WORK/differing_files.txt ]]; then
        echo "differing: $(sort -u "$WORK/differing_files.txt" | tr '\n' ' ')"
    fi
} | tee "$WORK/summary.txt" >&2
(( REPORTS_SAME == REPORTS )) || die "report.json differs between SLURM and local (see $WORK/differences.diff)"
(( JSON_SAME == JSONS && TSV_SAME == TSVS )) || die "outputs differ (see $WORK/differences.diff)"
log "PASS"
