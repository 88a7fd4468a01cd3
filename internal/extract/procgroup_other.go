//go:build !unix

package extract

import (
	"os"
	"os/exec"
)

// ownProcessGroup does nothing where there are no Unix process groups.
func ownProcessGroup(*exec.Cmd) {}

// killedBySignal: without Unix signals a child is never reported as
// killed from outside.
func killedBySignal(error) (os.Signal, bool) { return nil, false }
