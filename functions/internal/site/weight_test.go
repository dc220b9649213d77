package site

import "testing"

func TestParseHeaders(t *testing.T) {
	rules := ParseHeaders([]byte("/*\n  A: 1\n  B: x\n/blog/:year/*\n  A: 2\n/exact.html\n  C: 3\n\n# comment\nhttps://x.example/*\n  D: 4\n/files/*.pdf\n  E: 5\n"))
	tests := map[string]map[string]string{
		"/":              {"A": "1", "B": "x"},
		"/blog/2024/a/":  {"A": "2", "B": "x"},
		"/blog/":         {"A": "1", "B": "x"},
		"/exact.html":    {"A": "1", "B": "x", "C": "3"},
		"/exact.htmlx":   {"A": "1", "B": "x"},
		"/files/a/b.pdf": {"A": "1", "B": "x", "E": "5"},
	}
	for p, want := range tests {
		got := HeadersFor(rules, p)
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", p, got, want)
			continue
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", p, k, got[k], v)
			}
		}
	}
}
