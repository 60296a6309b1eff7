# worker.sh: sourced by cgi-bin/launch.sh: starts `backdrop worker`, which renders
# queued Background Change jobs and delivers their webhooks; launch.sh stops it.
"$BIN/backdrop" worker >>"$LOG" 2>&1 &
pids="$pids $!"
