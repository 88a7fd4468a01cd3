//go:build linux

package extract

import (
	"syscall"
	"time"

	"github.com/tetratelabs/wazero/experimental"
)

// wasmMemory backs each PDFium instance's linear memory with an anonymous
// mapping of its full maximum (the engine's memory limit), reserved but
// not committed: pages take memory only once PDFium touches them, growing
// never copies, and the memory is outside the Go heap. wazero's default,
// a Go slice grown by reallocation, leaves every outgrown copy to the
// garbage collector: an attachment bomb that drove an instance to its
// 512 MB limit held 1.27 GB of heap. With the mapping, the process holds
// at most the limit per instance, and gives it back when the instance
// closes.
var wasmMemory experimental.MemoryAllocator = experimental.MemoryAllocatorFunc(allocateWasmMemory)

// unmapGrace is how long a freed linear memory stays mapped (its pages
// already released): when an instance is killed, wazero may free its
// memory before the interrupted call has noticed (it checks at function
// calls and loop heads, within microseconds), and that call must not
// fault. Instances are made per call, so at most a few hundred mappings
// wait at a time.
const unmapGrace = 10 * time.Second

func allocateWasmMemory(capBytes, maxBytes uint64) experimental.LinearMemory {
	if maxBytes == 0 || maxBytes > 4<<30 {
		return &sliceMemory{}
	}
	b, err := syscall.Mmap(-1, 0, int(maxBytes), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return &sliceMemory{}
	}
	return &mappedMemory{buf: b}
}

type mappedMemory struct {
	buf []byte
}

func (m *mappedMemory) Reallocate(size uint64) []byte {
	if m.buf == nil || size > uint64(len(m.buf)) {
		return nil
	}
	return m.buf[:size:size]
}

func (m *mappedMemory) Free() {
	b := m.buf
	if b == nil {
		return
	}
	m.buf = nil
	// The pages go back now; the addresses stay valid, reading zeros,
	// until unmapGrace has passed.
	_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
	time.AfterFunc(unmapGrace, func() { _ = syscall.Munmap(b) })
}

// sliceMemory is wazero's own strategy, for when no mapping can be made.
type sliceMemory struct {
	buf []byte
}

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
	} else {
		m.buf = append(m.buf[:cap(m.buf)], make([]byte, size-uint64(cap(m.buf)))...)
	}
	return m.buf
}

func (m *sliceMemory) Free() { m.buf = nil }
