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
		return "+" + strings.Join(groups(intl), " ")
	}
	return "+" + cc + " " + strings.Join(groups(intl[len(cc):]), " ")
}

// groups splits digits into a last group of four and groups of three before
// it, counted from the end; a lone leading digit joins the group after it.
func groups(d string) []string {
	if len(d) <= 4 {
		return []string{d}
	}
	out := []string{d[len(d)-4:]}
	d = d[:len(d)-4]
	for len(d) > 3 {
		out = append([]string{d[len(d)-3:]}, out...)
		d = d[:len(d)-3]
	}
	if len(d) == 1 {
		out[0] = d + out[0]
	} else if d != "" {
		out = append([]string{d}, out...)
	}
	return out
}
