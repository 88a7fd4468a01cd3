package pipeline

import "testing"

func TestBlockedLiteral(t *testing.T) {
	tests := []struct {
		url     string
		blocked bool
	}{
		{"https://10.0.0.1/hook", true},
		{"https://169.254.169.254/latest", true},
		{"https://[::ffff:127.0.0.1]/", true},
		{"https://8.8.8.8/hook", false},
		{"https://example.com/hook", false},
	}
	for _, tt := range tests {
		if got := blockedLiteral(tt.url) != ""; got != tt.blocked {
			t.Errorf("blockedLiteral(%q) blocked = %v, want %v", tt.url, got, tt.blocked)
		}
	}
}
