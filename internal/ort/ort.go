// Package ort runs ONNX models with ONNX Runtime's shared library
// (libonnxruntime.so), loaded at run time through its C API without cgo
// (github.com/ebitengine/purego). It offers what docparse's OCR needs and
// nothing more: a session made from a model file, run on float32 tensors,
// answering float32 tensors.
//
// The C API is a table of function pointers (OrtApi) whose first part,
// "version 1", is frozen: every function used here is in it, so the
// indices below hold for every release of the library since 1.0.
package ort

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Indices of OrtApi's functions (onnxruntime_c_api.h, version 1).
const (
	fnGetErrorMessage                  = 2
	fnCreateEnv                        = 3
	fnCreateSession                    = 7
	fnRun                              = 9
	fnCreateSessionOptions             = 10
	fnSetSessionGraphOptimizationLevel = 23
	fnSetIntraOpNumThreads             = 24
	fnSetInterOpNumThreads             = 25
	fnSessionGetInputCount             = 30
	fnSessionGetOutputCount            = 31
	fnSessionGetInputName              = 36
	fnSessionGetOutputName             = 37
	fnCreateTensorWithDataAsOrtValue   = 49
	fnGetTensorMutableData             = 51
	fnGetDimensionsCount               = 61
	fnGetDimensions                    = 62
	fnGetTensorTypeAndShape            = 65
	fnCreateCpuMemoryInfo              = 69
	fnAllocatorFree                    = 76
	fnGetAllocatorWithDefaultOptions   = 78
	fnReleaseEnv                       = 92
	fnReleaseStatus                    = 93
	fnReleaseMemoryInfo                = 94
	fnReleaseSession                   = 95
	fnReleaseValue                     = 96
	fnReleaseTensorTypeAndShapeInfo    = 99
	fnReleaseSessionOptions            = 100
)

// apiVersion is the C API version asked for: any library from 1.10 on
// serves it.
const apiVersion = 10

const (
	loggingError    = 3  // ORT_LOGGING_LEVEL_ERROR
	arenaAllocator  = 1  // OrtArenaAllocator
	memTypeDefault  = 0  // OrtMemTypeDefault
	tensorFloat     = 1  // ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
	optimizeAll     = 99 // ORT_ENABLE_ALL
	maxOutputRank   = 8
	maxOutputValues = 1 << 28 // elements of one output, 1 GiB of float32
)

// Runtime is a loaded libonnxruntime with one environment. Its sessions
// may run at once from several goroutines.
type Runtime struct {
	api   uintptr // *OrtApi
	env   uintptr
	mem   uintptr // CPU memory info for input tensors
	alloc uintptr // the default allocator (not to be freed)
}

var (
	loadMu sync.Mutex
	loaded = map[string]*Runtime{}
)

// Load opens the shared library at path (once per process: a library is
// never unloaded) and makes its environment.
func Load(path string) (*Runtime, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if rt, ok := loaded[path]; ok {
		return rt, nil
	}
	lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: open %s: %w", path, err)
	}
	sym, err := purego.Dlsym(lib, "OrtGetApiBase")
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: %s has no OrtGetApiBase: %w", path, err)
	}
	base, _, _ := purego.SyscallN(sym)
	if base == 0 {
		return nil, errors.New("onnxruntime: OrtGetApiBase returned nothing")
	}
	getAPI := *(*uintptr)(cptr(base))
	api, _, _ := purego.SyscallN(getAPI, apiVersion)
	if api == 0 {
		return nil, fmt.Errorf("onnxruntime: %s does not serve C API version %d", path, apiVersion)
	}
	rt := &Runtime{api: api}
	logid := cstr("docparse")
	if err := rt.check(purego.SyscallN(rt.fn(fnCreateEnv), loggingError, uintptr(unsafe.Pointer(&logid[0])), uintptr(unsafe.Pointer(&rt.env)))); err != nil {
		return nil, err
	}
	if err := rt.check(purego.SyscallN(rt.fn(fnCreateCpuMemoryInfo), arenaAllocator, memTypeDefault, uintptr(unsafe.Pointer(&rt.mem)))); err != nil {
		return nil, err
	}
	if err := rt.check(purego.SyscallN(rt.fn(fnGetAllocatorWithDefaultOptions), uintptr(unsafe.Pointer(&rt.alloc)))); err != nil {
		return nil, err
	}
	loaded[path] = rt
	return rt, nil
}

// fn returns the address of the API's function i.
func (rt *Runtime) fn(i int) uintptr {
	return *(*uintptr)(cptr(rt.api + uintptr(i)*unsafe.Sizeof(uintptr(0))))
}

// check turns the OrtStatus a function of the API answered (nil: no
// error) into an error. Calls are written out as
// rt.check(purego.SyscallN(rt.fn(i), args...)) so that the pointers to Go
// memory among the arguments stay put during the call (SyscallN is
// go:uintptrescapes).
func (rt *Runtime) check(st, _, _ uintptr) error {
	if st == 0 {
		return nil
	}
	msg, _, _ := purego.SyscallN(rt.fn(fnGetErrorMessage), st)
	err := errors.New("onnxruntime: " + gostr(msg))
	purego.SyscallN(rt.fn(fnReleaseStatus), st)
	return err
}

// release calls one of the API's Release functions on handle.
func (rt *Runtime) release(i int, handle uintptr) {
	if handle != 0 {
		purego.SyscallN(rt.fn(i), handle)
	}
}

// Session is a model ready to run.
type Session struct {
	rt      *Runtime
	handle  uintptr
	inputs  []string
	outputs []string
}

// NewSession loads the model file at path. Each run uses one thread: the
// caller runs files in parallel instead.
func (rt *Runtime) NewSession(path string) (*Session, error) {
	var opts uintptr
	if err := rt.check(purego.SyscallN(rt.fn(fnCreateSessionOptions), uintptr(unsafe.Pointer(&opts)))); err != nil {
		return nil, err
	}
	defer rt.release(fnReleaseSessionOptions, opts)
	for _, set := range []struct{ fn, v int }{
		{fnSetIntraOpNumThreads, 1}, {fnSetInterOpNumThreads, 1}, {fnSetSessionGraphOptimizationLevel, optimizeAll},
	} {
		if err := rt.check(purego.SyscallN(rt.fn(set.fn), opts, uintptr(set.v))); err != nil {
			return nil, err
		}
	}
	p := cstr(path)
	s := &Session{rt: rt}
	if err := rt.check(purego.SyscallN(rt.fn(fnCreateSession), rt.env, uintptr(unsafe.Pointer(&p[0])), opts, uintptr(unsafe.Pointer(&s.handle)))); err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	var err error
	if s.inputs, err = s.names(fnSessionGetInputCount, fnSessionGetInputName); err == nil {
		s.outputs, err = s.names(fnSessionGetOutputCount, fnSessionGetOutputName)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	runtime.SetFinalizer(s, (*Session).Close)
	return s, nil
}

// names returns the names of the session's inputs or outputs.
func (s *Session) names(count, name int) ([]string, error) {
	var n uintptr
	if err := s.rt.check(purego.SyscallN(s.rt.fn(count), s.handle, uintptr(unsafe.Pointer(&n)))); err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		var c uintptr
		if err := s.rt.check(purego.SyscallN(s.rt.fn(name), s.handle, uintptr(i), s.rt.alloc, uintptr(unsafe.Pointer(&c)))); err != nil {
			return nil, err
		}
		out[i] = gostr(c)
		s.rt.check(purego.SyscallN(s.rt.fn(fnAllocatorFree), s.rt.alloc, c))
	}
	return out, nil
}

// Close releases the session.
func (s *Session) Close() {
	if s.handle != 0 {
		s.rt.release(fnReleaseSession, s.handle)
		s.handle = 0
	}
}

// Tensor is a dense float32 tensor, row-major.
type Tensor struct {
	Shape []int64
	Data  []float32
}

// Run runs the model on its one input and returns its first output.
func (s *Session) Run(in Tensor) (Tensor, error) {
	if len(s.inputs) != 1 || len(s.outputs) == 0 {
		return Tensor{}, fmt.Errorf("onnxruntime: the model has %d inputs and %d outputs, want 1 and at least 1", len(s.inputs), len(s.outputs))
	}
	n := int64(1)
	for _, d := range in.Shape {
		n *= d
	}
	if n != int64(len(in.Data)) || n == 0 {
		return Tensor{}, fmt.Errorf("onnxruntime: shape %v does not hold %d values", in.Shape, len(in.Data))
	}
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&in.Data[0])
	pin.Pin(&in.Shape[0])
	var value uintptr
	if err := s.rt.check(purego.SyscallN(s.rt.fn(fnCreateTensorWithDataAsOrtValue), s.rt.mem, uintptr(unsafe.Pointer(&in.Data[0])), uintptr(4*len(in.Data)),
		uintptr(unsafe.Pointer(&in.Shape[0])), uintptr(len(in.Shape)), tensorFloat, uintptr(unsafe.Pointer(&value)))); err != nil {
		return Tensor{}, err
	}
	defer s.rt.release(fnReleaseValue, value)

	inName, outName := cstr(s.inputs[0]), cstr(s.outputs[0])
	pin.Pin(&inName[0])
	pin.Pin(&outName[0])
	inNames := []uintptr{uintptr(unsafe.Pointer(&inName[0]))}
	outNames := []uintptr{uintptr(unsafe.Pointer(&outName[0]))}
	inValues := []uintptr{value}
	outValues := []uintptr{0}
	pin.Pin(&inNames[0])
	pin.Pin(&outNames[0])
	pin.Pin(&inValues[0])
	pin.Pin(&outValues[0])
	if err := s.rt.check(purego.SyscallN(s.rt.fn(fnRun), s.handle, 0, uintptr(unsafe.Pointer(&inNames[0])), uintptr(unsafe.Pointer(&inValues[0])), 1, uintptr(unsafe.Pointer(&outNames[0])), 1, uintptr(unsafe.Pointer(&outValues[0])))); err != nil {
		return Tensor{}, err
	}
	out := outValues[0]
	defer s.rt.release(fnReleaseValue, out)

	var info uintptr
	if err := s.rt.check(purego.SyscallN(s.rt.fn(fnGetTensorTypeAndShape), out, uintptr(unsafe.Pointer(&info)))); err != nil {
		return Tensor{}, err
	}
	defer s.rt.release(fnReleaseTensorTypeAndShapeInfo, info)
	var rank uintptr
	if err := s.rt.check(purego.SyscallN(s.rt.fn(fnGetDimensionsCount), info, uintptr(unsafe.Pointer(&rank)))); err != nil {
		return Tensor{}, err
	}
	if rank == 0 || rank > maxOutputRank {
		return Tensor{}, fmt.Errorf("onnxruntime: output of rank %d", rank)
	}
	shape := make([]int64, rank)
	if err := s.rt.check(purego.SyscallN(s.rt.fn(fnGetDimensions), info, uintptr(unsafe.Pointer(&shape[0])), rank)); err != nil {
		return Tensor{}, err
	}
	total := int64(1)
	for _, d := range shape {
		if d < 0 {
			return Tensor{}, fmt.Errorf("onnxruntime: output shape %v", shape)
		}
		total *= d
	}
	if total > maxOutputValues {
		return Tensor{}, fmt.Errorf("onnxruntime: output of %d values", total)
	}
	var data uintptr
	if err := s.rt.check(purego.SyscallN(s.rt.fn(fnGetTensorMutableData), out, uintptr(unsafe.Pointer(&data)))); err != nil {
		return Tensor{}, err
	}
	res := Tensor{Shape: shape, Data: make([]float32, total)}
	if total > 0 {
		copy(res.Data, unsafe.Slice((*float32)(cptr(data)), total))
	}
	runtime.KeepAlive(in)
	return res, nil
}

// cptr turns an address in C memory (which the Go collector neither
// moves nor frees) into a pointer.
func cptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// cstr returns s NUL-terminated.
func cstr(s string) []byte { return append([]byte(s), 0) }

// gostr copies the NUL-terminated C string at p.
func gostr(p uintptr) string {
	if p == 0 {
		return ""
	}
	n := 0
	for *(*byte)(cptr(p + uintptr(n))) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(cptr(p)), n))
}
