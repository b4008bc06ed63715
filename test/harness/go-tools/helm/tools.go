//go:build tools

// Package tools pins the Helm CLI; the build tag keeps it out of every build.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
