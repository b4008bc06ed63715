//go:build tools

// Package tools pins kube-router, run with only its network policy controller as the single-node cluster's
// NetworkPolicy enforcer, built by ensure-tools.sh from this module.
// The build tag keeps it out of every build; it only tells `go mod tidy` what to keep.
package tools

import (
	_ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
)
