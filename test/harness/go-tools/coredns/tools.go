//go:build tools

// Package tools pins CoreDNS, the cluster DNS of the single-node cluster (npm run e2e:k8s), built by ensure-tools.sh from this module.
// The build tag keeps it out of every build; it only tells `go mod tidy` what to keep.
package tools

import (
	_ "github.com/coredns/coredns"
)
