#!/usr/bin/env bash
# Start one worker on each host of a list over SSH (magnet on each host's PATH):
#   cluster/ssh/start-workers.sh COORDINATOR-HOST hosts.txt
# hosts.txt: one host per line; lines starting with # are ignored. Stop them with
#   cluster/ssh/start-workers.sh --stop hosts.txt
set -euo pipefail
if [[ "${1:-}" == "--stop" ]]; then
  grep -v '^#' "${2:?hosts file}" | while read -r host; do
    [[ -n "$host" ]] && ssh -n "$host" 'pkill -TERM -f "magnet worker"' || true
  done
  exit 0
fi
coordinator="${1:?usage: start-workers.sh COORDINATOR-HOST HOSTS-FILE}"
hosts="${2:?usage: start-workers.sh COORDINATOR-HOST HOSTS-FILE}"
grep -v '^#' "$hosts" | while read -r host; do
  [[ -z "$host" ]] && continue
  echo "starting a worker on $host"
  ssh -n "$host" "nohup magnet worker --connect tcp://${coordinator}:5555 > magnet-worker.log 2>&1 &"
done
