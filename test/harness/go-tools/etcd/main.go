// Command etcd is upstream etcd's server entry point, built from the pinned module in go.mod
// so tests get the same etcd release Kubernetes 1.32 ships with, without downloading a binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
