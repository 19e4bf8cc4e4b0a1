#!/usr/bin/env bash
# Submit a study to Slurm in one command: its coordinator and an array of workers.
#
#   cluster/slurm/submit.sh SWEEP.yaml --db DB --workers N [--trials N] [--minutes M] [--seed S]
#       [--cpus-per-worker C] [--time D-HH:MM:SS] [--partition P] [--logs DIR] [-- more coordinator options]
#
# The coordinator binds a free port and writes its endpoint next to the study file (DB.endpoint);
# the workers (an array job that starts once the coordinator has started) read it there, follow
# the coordinator if it is requeued on another node, and exit when the study is finished. Logs
# are appended to DIR/coordinator.log and DIR/worker-N.log (default: DB's folder, logs/).
# The magnet binary: $MAGNET, else `magnet` on PATH, else this repository's .build/release or
# .build/debug; it must run on the compute nodes (docs/cluster.md, "A relocatable install").
set -euo pipefail

die() { echo "error: $*" >&2; exit 1; }
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-1}"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repository="$(cd "$here/../.." && pwd)"
sweep="" db="" workers="" cpus=1 time_limit="7-00:00:00" partition="" logs=""
study_options=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --db) db="${2:?--db needs a path}"; shift 2 ;;
        --workers) workers="${2:?--workers needs a number}"; shift 2 ;;
        --trials|--minutes|--seed) study_options+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        --cpus-per-worker) cpus="${2:?--cpus-per-worker needs a number}"; shift 2 ;;
        --time) time_limit="${2:?--time needs a duration}"; shift 2 ;;
        --partition) partition="${2:?--partition needs a name}"; shift 2 ;;
        --logs) logs="${2:?--logs needs a folder}"; shift 2 ;;
        -h|--help) usage 0 ;;
        --) shift; study_options+=("$@"); break ;;
        -*) die "unknown option $1 (see $0 --help)" ;;
        *) [[ -z "$sweep" ]] || die "one sweep file, not $sweep and $1"; sweep="$1"; shift ;;
    esac
done
[[ -n "$sweep" ]] || usage
[[ -f "$sweep" ]] || die "$sweep: no such sweep file"
[[ -n "$db" ]] || die "give the study file with --db (it must be on a file system the compute nodes share)"
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "--workers must be a whole number of at least 1, not '${workers}'"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-worker must be a whole number of at least 1, not '$cpus'"
command -v sbatch >/dev/null || die "sbatch is not on PATH: run this on a Slurm login node"

magnet="${MAGNET:-$(command -v magnet || true)}"
for candidate in "$magnet" "$repository/.build/release/magnet" "$repository/.build/debug/magnet"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then magnet="$candidate"; break; fi
done
[[ -n "$magnet" && -x "$magnet" ]] || die "no magnet binary: build it (make release) or set MAGNET=/path/to/magnet"
magnet="$(cd "$(dirname "$magnet")" && pwd)/$(basename "$magnet")"
"$magnet" --version >/dev/null 2>&1 || die "$magnet does not run here (missing libraries? see docs/cluster.md)"

sweep="$(cd "$(dirname "$sweep")" && pwd)/$(basename "$sweep")"
db_folder="$(dirname "$db")"
[[ -d "$db_folder" ]] || die "$db_folder: no such folder for the study file"
db="$(cd "$db_folder" && pwd)/$(basename "$db")"
logs="${logs:-$(dirname "$db")/logs}"
mkdir -p "$logs"
logs="$(cd "$logs" && pwd)"

# A study another coordinator is running is refused here rather than in a job.
if [[ -f "$db" ]]; then
    owner="$("$magnet" status "$db" 2>/dev/null | sed -n 's/^held by \(.*\)$/\1/p')"
    if [[ -n "$owner" && "$owner" != *"which is gone"* ]]; then die "$db is in use by $owner"; fi
fi
# A finished study's endpoint file says `finished`: remove it so new workers wait for the new coordinator.
rm -f "$db.endpoint"

common=(--parsable --time="$time_limit" --open-mode=append --export="ALL,MAGNET=$magnet")
[[ -z "$partition" ]] || common+=(--partition="$partition")
coordinator="$(sbatch "${common[@]}" --output="$logs/coordinator.log" --requeue \
    "$here/coordinator.sbatch" "$sweep" "$db" "${study_options[@]}")"
coordinator="${coordinator%%;*}"
array="$(sbatch "${common[@]}" --output="$logs/worker-%a.log" --array="1-$workers" --cpus-per-task="$cpus" \
    --dependency="after:$coordinator" "$here/workers.sbatch" "$db.endpoint")"
array="${array%%;*}"

echo "coordinator job $coordinator, worker array job $array (${workers} × ${cpus} CPU(s))"
echo "study file $db; logs in $logs"
echo "watch:  squeue -j $coordinator,$array   and   $magnet status $db"
echo "stop:   scancel $coordinator $array     (run this script again to resume)"
