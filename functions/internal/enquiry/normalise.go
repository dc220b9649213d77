package enquiry

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxBlankLines is how many empty lines in a row a message or note keeps.
const maxBlankLines = 2

// SingleLine normalises a one-line answer (and anything bound for a mail
// header or subject): valid UTF-8, no control or format
// characters (line breaks and tabs become spaces), NFC, spaces collapsed and
// trimmed. Nothing it returns can break a mail header or a subject.
func SingleLine(s string) string {
	return collapseSpaces(norm.NFC.String(stripControls(s, false)))
}

// multiLine normalises a textarea answer: as SingleLine within each line, line
// breaks kept as "\n" (CRLF and CR become "\n"), runs of blank lines limited,
// leading and trailing blank lines dropped.
func multiLine(s string) string {
	s = norm.NFC.String(stripControls(s, true))
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = collapseSpaces(l)
		if l == "" {
			blank++
			if blank > maxBlankLines {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}

// stripControls drops invalid UTF-8 and every character of the Unicode
// categories Cc and Cf (this includes bidirectional overrides such as U+202E
// and zero-width characters). Line breaks (CRLF, CR, LF, U+2028, U+2029, NEL)
// become "\n" when keepNewlines, else a space; tabs and other spaces become a
// plain space.
func stripControls(s string, keepNewlines bool) string {
	var b strings.Builder
	b.Grow(len(s))
	nl := byte(' ')
	if keepNewlines {
		nl = '\n'
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			// invalid UTF-8: dropped
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteByte(nl)
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\v' || r == '\f':
			b.WriteByte(nl)
		case r == '\t' || unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// collapseSpaces trims s and turns each run of spaces into one. It expects
// stripControls to have turned every other space character into ' '.
func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// asciiDigits turns Arabic-Indic (U+0660–0669) and Extended Arabic-Indic
// (Persian, U+06F0–06F9) digits into ASCII digits.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, s)
}

// normalisePhone returns the number in E.164 and true when s (already through
// SingleLine) is a phone number reception can call, else s with ASCII digits
// and false. The rules are in phone.go.
func normalisePhone(s string) (string, bool) {
	s = asciiDigits(s)
	if s == "" || len(s) > MaxLength[FieldPhone] {
		return s, false
	}
	if e164, ok := phoneE164(s); ok {
		return e164, true
	}
	return s, false
}

// normaliseChoice is for values picked from a list: single line, and
// lower-cased since every listed value is.
func normaliseChoice(s string) string {
	return strings.ToLower(SingleLine(s))
}
