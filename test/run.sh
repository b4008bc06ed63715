#!/usr/bin/env bash
# `npm test`: provision what the suite needs, then run every jest suite against the real
# services (embedded PostgreSQL 17, memcached, RabbitMQ, kube-apiserver + etcd, promtool, helm).
# Extra arguments go to jest (e.g. `npm test -- test/routes`). Results: test-results.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/provision.sh
exec node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js \
  --json --outputFile=test-results.json "$@"
