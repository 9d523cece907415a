#!/bin/sh
# SPDX-License-Identifier: MIT
# App that crashes: logs "run <pid>" to DIR/runs, then kills itself with SIGNAL, but for run LIMIT.
# usage: crash_counter.sh DIR LIMIT SIGNAL [leftover]
# Run number LIMIT exits 0 instead (LIMIT 0: every run crashes). With "leftover", the first run
# first starts a member of its group that logs "leftover terminated" to DIR/runs on SIGTERM.
# Each run also appends the time it started, seconds since boot from /proc/uptime, to DIR/starts.
read -r uptime _ < /proc/uptime
echo "$uptime" >> "$1/starts"
runs="$1/runs"
echo "run $$" >> "$runs"
count=$(wc -l < "$runs")
if [ "$4" = leftover ] && [ "$count" -eq 1 ]; then
    (
        trap 'echo "leftover terminated" >> "$runs"; exit 0' TERM
        touch "$1/leftover-ready"
        while :; do sleep 1; done
    ) &
    while [ ! -e "$1/leftover-ready" ]; do sleep 0.01; done
fi
if [ "$2" -eq 0 ] || [ "$count" -lt "$2" ]; then
    kill -s "$3" $$
fi
exit 0
