//go:build tools

// Package tools pins actionlint (GitHub Actions workflow linter); the build tag keeps it out of every build.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
