# shellcheck shell=bash
# The PASS/FAIL lines of the check scripts (ci/smoke-test.sh, ci/validate-deployment.sh) and their tally; sourced.

passed=0
failed=0

# pass CHECK [FIGURE]: prints "PASS CHECK: FIGURE" (just "PASS CHECK" without a figure) and counts it.
pass() {
  passed=$((passed + 1))
  echo "PASS $1${2:+: $2}"
}

# fail CHECK [FIGURE]: the same for a check that failed.
fail() {
  failed=$((failed + 1))
  echo "FAIL $1${2:+: $2}"
}

# checks_summary: prints "N passed, M failed"; returns 1 when a check failed.
checks_summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
