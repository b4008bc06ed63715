//go:build tools

// Package tools pins metrics-server, which feeds the HPA of the single-node cluster, built by ensure-tools.sh from this module.
// The build tag keeps it out of every build; it only tells `go mod tidy` what to keep.
package tools

import (
	_ "sigs.k8s.io/metrics-server/cmd/metrics-server"
)
