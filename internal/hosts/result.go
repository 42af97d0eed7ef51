package hosts

import (
	"bytes"
	"errors"
	"os/exec"
)

// Result is what a command did.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Exec runs cmd, capturing its standard output and error, and returns
// what it did: a command that ran and failed is a Result with its exit
// status (-1 when a signal ended it), not an error.  err is for a
// command that could not be run, or whose output could not be collected.
// Tests running commands in a namespace (Host.Run) or not (the rc.d
// scripts under each shell) share it.
func Exec(cmd *exec.Cmd) (Result, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.Code, err = exit.ExitCode(), nil
	}
	return r, err
}
