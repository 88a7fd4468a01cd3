//go:build unix

package extract

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the child cmd will start in a process group of its
// own, so that a signal sent to the server's group (a terminal's Ctrl-C,
// which reaches the whole foreground group) reaches only the server,
// which then stops its children itself. When cmd's context ends the whole
// group is killed, anything the child started included.
func ownProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.Cancel = func() error {
		// The child leads its group: -pid names the group.
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
}

// killedBySignal reports whether err, from cmd.Wait, says that the child
// was ended by a signal: one sent to it from outside (an interrupt, a
// termination request, SIGKILL from a user, a supervisor or the kernel's
// OOM killer), or a crash of its own (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
// SIGABRT). Neither says the input is corrupt: the work is worth doing
// again, and a crash that repeats with the same input ends, after the
// job's last attempt, as internal_error, the engine's failure, not the
// document's.
func killedBySignal(err error) (os.Signal, bool) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return nil, false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return nil, false
	}
	return ws.Signal(), true
}
