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
// was ended by a signal sent to it from outside (an interrupt, a
// termination request, SIGKILL from a user, a supervisor or the kernel's
// OOM killer) rather than by a fault of its own: such an end says nothing
// about the input, and the work is worth doing again. A child's own crash
// (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) repeats with the same input,
// and is not reported here.
func killedBySignal(err error) (os.Signal, bool) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return nil, false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return nil, false
	}
	switch sig := ws.Signal(); sig {
	case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGILL, syscall.SIGFPE, syscall.SIGABRT:
		return sig, false
	default:
		return sig, true
	}
}
