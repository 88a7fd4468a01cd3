//go:build !linux

package extract

import "github.com/tetratelabs/wazero/experimental"

// wasmMemory is nil outside Linux: wazero's default linear memory.
var wasmMemory experimental.MemoryAllocator
