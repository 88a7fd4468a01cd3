package main

import "errors"

// errUsage is a usage error already explained on stderr (exit code 1).
var errUsage = errors.New("usage")

// Exit codes: 0 success, 1 usage or configuration error, 2 API or other
// failure, 3 a batch waited for ended failed or partial.
func exitCode(err error) int {
	switch {
	case errors.Is(err, errUsage) || errors.Is(err, errConfig):
		return 1
	case errors.Is(err, errBatchNotProcessed):
		return 3
	}
	return 2
}

// errConfig marks configuration errors.
var errConfig = errors.New("configuration")
