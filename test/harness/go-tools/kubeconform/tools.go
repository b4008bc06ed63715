//go:build tools

// Package tools pins kubeconform, the Kubernetes manifest validator (strict, offline with local schemas); the build tag keeps it out of every build.
package tools

import _ "github.com/yannh/kubeconform/cmd/kubeconform"
