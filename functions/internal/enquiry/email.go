package enquiry

import (
	"strings"

	"golang.org/x/net/idna"
)

// The email address must be one that mail systems, and Resend, deliver:
// once accepted, the visitor is told we will reply there, and reception's
// email uses it as the reply-to. So the form takes what is plain everywhere
// (an ASCII dot-atom before the @, a domain in its ASCII form) and nothing
// else, with a message saying what to change. An internationalised domain
// (مثال.امارات, bücher.de) is converted to its ASCII (punycode) form, which
// every mail system accepts; a non-ASCII or quoted local part cannot be
// converted, and is refused.

// normaliseEmail lower-cases the domain part and converts it to ASCII; the
// local part is the mailbox owner's business and stays as typed. A domain
// that cannot be converted stays as typed, for the rules to refuse.
func normaliseEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	domain := strings.ToLower(s[at+1:])
	if a, err := idna.Lookup.ToASCII(domain); err == nil {
		domain = a
	}
	return s[:at+1] + domain
}

// The email field's own rules (validator tags, after maxlen): email_ascii,
// no letter outside ASCII before the @ (a Cyrillic "а" that looks Latin, an
// accented name); email_unquoted, no quoted local part ("a b"@example.com);
// mailbox, isMailbox.
func emailASCII(s string) bool {
	local, _ := splitEmail(s)
	return !strings.ContainsFunc(local, func(r rune) bool { return r > 0x7e })
}

func emailUnquoted(s string) bool {
	local, _ := splitEmail(s)
	return !strings.ContainsAny(local, `"\`)
}

func splitEmail(s string) (local, domain string) {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s, ""
	}
	return s[:at], s[at+1:]
}

// isMailbox reports whether s is local@domain with an RFC 5322 dot-atom of
// ASCII as the local part (at most 64 octets) and a DNS name of at least
// two labels as the domain (letters, digits and hyphens; the last label not
// all digits), MaxLength["email"] (data/form_lengths.yaml) octets at most in all.
func isMailbox(s string) bool {
	local, domain := splitEmail(s)
	if len(s) > MaxLength[FieldEmail] || local == "" || len(local) > 64 || domain == "" || len(domain) > 253 {
		return false
	}
	for _, atom := range strings.Split(local, ".") {
		if atom == "" || strings.ContainsFunc(atom, func(r rune) bool { return !isAtext(r) }) {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' ||
			strings.ContainsFunc(l, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }) {
			return false
		}
	}
	return strings.ContainsFunc(labels[len(labels)-1], func(r rune) bool { return r < '0' || r > '9' })
}

// isAtext is RFC 5322's atext: what a dot-atom may hold besides dots.
func isAtext(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}
