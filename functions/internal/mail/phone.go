package mail

import (
	"strings"

	"github.com/bluetreeclinics/site/functions/internal/enquiry"
)

// formatPhone writes an E.164 number ("+971501234567", or digits alone) the
// way people read it: UAE numbers as the UAE writes them ("+971 50 123 4567",
// "+971 4 123 4567"), others as the country code then groups of three or
// four digits ("+44 207 946 0958"). Links (tel:, wa.me) keep the bare digits.
// Anything that is not a number of 6 to 15 digits comes back unchanged.
func formatPhone(s string) string {
	intl := strings.TrimPrefix(strings.TrimSpace(s), "+")
	if len(intl) < 6 || len(intl) > 15 || strings.Trim(intl, "0123456789") != "" {
		return s
	}
	if strings.HasPrefix(intl, "971") {
		n := intl[3:]
		switch {
		case len(n) == 9 && n[0] == '5': // mobile: 5X XXX XXXX
			return "+971 " + n[:2] + " " + n[2:5] + " " + n[5:]
		case len(n) == 8: // landline: area code, then XXX XXXX
			return "+971 " + n[:1] + " " + n[1:4] + " " + n[4:]
		}
	}
	cc := enquiry.CountryCode(intl)
	if cc == "" {
		return "+" + groups(intl)
	}
	return "+" + cc + " " + groups(intl[len(cc):])
}

// groups writes digits as a last group of four and groups of three before
// it, counted from the end; a lone leading digit joins the group after it.
func groups(d string) string {
	head, parts := d[:max(len(d)-4, 0)], []string{d[max(len(d)-4, 0):]}
	for ; len(head) > 3; head = head[:len(head)-3] {
		parts = append([]string{head[len(head)-3:]}, parts...)
	}
	if len(head) == 1 {
		parts[0] = head + parts[0]
	} else if head != "" {
		parts = append([]string{head}, parts...)
	}
	return strings.Join(parts, " ")
}
