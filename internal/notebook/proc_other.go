//go:build !unix

package notebook

import "os/exec"

// setProcessGroup leaves the default process handling in place.
func setProcessGroup(*exec.Cmd) {}

// exitCode returns the process's exit status, or 1 if it has none.
func exitCode(e *exec.ExitError) int {
	if c := e.ExitCode(); c >= 0 {
		return c
	}
	return 1
}
