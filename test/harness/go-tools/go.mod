// The Go every wrapper module below builds with. ensure-tools.sh builds with GOTOOLCHAIN=local, so the
// installed Go must be at least the highest `go` line of those modules; the GitHub workflow installs
// exactly this version (setup-go's go-version-file), and test/ci/workflow.test.ts fails when a wrapper
// module asks for more. Each tool directory holds its own module, so nothing here is part of their builds.
module findash.local/go-tools

go 1.26.8
