package config

import (
	"strings"
	"testing"
	"time"
)

func TestSpoolAndConnections(t *testing.T) {
	for _, tc := range []struct {
		env   map[string]string
		want  Spool
		conns [2]int
	}{
		{nil, Spool{Dir: "spool", ResendRate: 5, MaxBytes: 100 << 20, AlertAfter: 15 * time.Minute}, [2]int{1024, 64}},
		{map[string]string{
			"RESEND_RATE_PER_SECOND": "10", "SPOOL_MAX_MB": "5", "SPOOL_ALERT_AFTER": "1h",
			"MAX_CONNECTIONS": "2000", "MAX_CONNECTIONS_PER_CLIENT": "16",
		}, Spool{Dir: "spool", ResendRate: 10, MaxBytes: 5 << 20, AlertAfter: time.Hour}, [2]int{2000, 16}},
	} {
		c, err := Load(env(tc.env), Serve)
		if err != nil || c.Spool != tc.want || [2]int{c.MaxConnections, c.MaxConnectionsPerClient} != tc.conns {
			t.Errorf("%v: %+v %v, want %+v", tc.env, c, err, tc.want)
		}
	}
	_, err := Load(env(map[string]string{
		"RESEND_RATE_PER_SECOND": "0", "SPOOL_MAX_MB": "lots", "SPOOL_ALERT_AFTER": "15",
		"MAX_CONNECTIONS": "3", "MAX_CONNECTIONS_PER_CLIENT": "-1",
	}), Serve)
	for _, name := range []string{"RESEND_RATE_PER_SECOND", "SPOOL_MAX_MB", "SPOOL_ALERT_AFTER", "MAX_CONNECTIONS:", "MAX_CONNECTIONS_PER_CLIENT"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}
