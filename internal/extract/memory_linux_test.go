//go:build linux

package extract

import "testing"

func TestWasmMemoryMapping(t *testing.T) {
	t.Parallel()
	m := allocateWasmMemory(0, 4<<20)
	if _, ok := m.(*mappedMemory); !ok {
		t.Fatalf("allocateWasmMemory = %T, want a mapping", m)
	}
	b := m.Reallocate(64 << 10)
	if len(b) != 64<<10 {
		t.Fatalf("Reallocate(64 KiB) = %d bytes", len(b))
	}
	b[len(b)-1] = 7
	// Growing keeps the address and the contents; new pages are zero.
	g := m.Reallocate(4 << 20)
	if len(g) != 4<<20 || &g[0] != &b[0] || g[64<<10-1] != 7 || g[len(g)-1] != 0 {
		t.Fatalf("Reallocate(4 MiB): %d bytes, same address %v", len(g), &g[0] == &b[0])
	}
	if m.Reallocate(4<<20+1) != nil {
		t.Error("Reallocate past the maximum gave memory")
	}
	m.Free()
	if m.Reallocate(64<<10) != nil {
		t.Error("Reallocate after Free gave memory")
	}
	// A maximum that cannot be mapped falls back to a slice.
	if _, ok := allocateWasmMemory(0, 0).(*sliceMemory); !ok {
		t.Error("allocateWasmMemory(no maximum) is no slice")
	}
}
