//go:build tools

// Package tools pins the Kubernetes control-plane commands this module builds.
// The build tag keeps it out of every build; it only tells `go mod tidy` what to keep.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
