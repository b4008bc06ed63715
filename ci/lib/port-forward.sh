# shellcheck shell=bash
# Reading what `kubectl port-forward` reports (sourced by ci/deploy.sh).

# forwarded_ports FILE: the local ports port-forward reported in FILE ("Forwarding from 127.0.0.1:PORT -> ..."),
# one per line, in the order of the ports it was asked to forward.
forwarded_ports() {
  sed -nE 's/^Forwarding from 127\.0\.0\.1:([0-9]+) .*/\1/p' "$1"
}

# wait_for_forwards FILE COUNT: waits up to 10 s until FILE reports COUNT local ports; prints those it reports.
wait_for_forwards() {
  local ports=""
  for _ in $(seq 1 50); do
    ports="$(forwarded_ports "$1")"
    [ -n "$ports" ] && [ "$(wc -l <<< "$ports")" -ge "$2" ] && break
    sleep 0.2
  done
  [ -z "$ports" ] || printf '%s\n' "$ports"
}
