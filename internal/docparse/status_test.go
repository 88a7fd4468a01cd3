package docparse

import "testing"

func TestBatchStatusFor(t *testing.T) {
	tests := []struct {
		c    Counts
		want BatchStatus
	}{
		{Counts{Queued: 3}, BatchQueued},
		{Counts{Queued: 2, Processing: 1}, BatchProcessing},
		{Counts{Queued: 1, Processed: 2}, BatchProcessing},
		{Counts{Processed: 2, NeedsReview: 1}, BatchProcessed},
		{Counts{NeedsReview: 3}, BatchProcessed},
		{Counts{Processed: 2, Failed: 1}, BatchPartial},
		{Counts{NeedsReview: 1, Failed: 1}, BatchPartial},
		{Counts{Failed: 3}, BatchFailed},
		{Counts{Processing: 1, Failed: 2}, BatchProcessing},
	}
	for _, tt := range tests {
		if got := BatchStatusFor(tt.c); got != tt.want {
			t.Errorf("BatchStatusFor(%+v) = %v, want %v", tt.c, got, tt.want)
		}
	}
}

func TestFileStatusCanMove(t *testing.T) {
	tests := []struct {
		from, to FileStatus
		want     bool
	}{
		{FileQueued, FileProcessing, true},
		{FileQueued, FileFailed, true},
		{FileQueued, FileProcessed, false},
		{FileProcessing, FileProcessing, true},
		{FileProcessing, FileProcessed, true},
		{FileProcessing, FileNeedsReview, true},
		{FileProcessing, FileFailed, true},
		{FileProcessing, FileQueued, false},
		{FileProcessed, FileFailed, false},
		{FileFailed, FileProcessing, false},
		{FileNeedsReview, FileProcessed, false},
	}
	for _, tt := range tests {
		if got := tt.from.CanMove(tt.to); got != tt.want {
			t.Errorf("%s.CanMove(%s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestFileStatusCanConfirm(t *testing.T) {
	for _, s := range []FileStatus{FileQueued, FileProcessing, FileProcessed, FileNeedsReview, FileFailed} {
		if got, want := s.CanConfirm(), s == FileNeedsReview; got != want {
			t.Errorf("%s.CanConfirm() = %v, want %v", s, got, want)
		}
	}
}
