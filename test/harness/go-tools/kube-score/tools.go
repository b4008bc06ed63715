//go:build tools

// Package tools pins kube-score, the Kubernetes object analyser (reliability and security checks); the build tag keeps it out of every build.
package tools

import _ "github.com/zegl/kube-score/cmd/kube-score"
