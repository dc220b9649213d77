package enquiry

import (
	"regexp"
	"strings"
)

// Phone numbers are checked by rules of our own rather than a full phone
// library: github.com/nyaruka/phonenumbers carried all of libphonenumber's
// metadata, which made the Lambda binary about 6 MB larger and added ~5 ms to
// every cold start, for a form whose numbers are nearly all from the UAE.
// What we need is narrow: understand how people in the UAE type numbers,
// turn them into E.164 with +971 as the default country, check UAE numbers
// precisely (mobile or landline) and foreign ones for a real country code
// and a plausible length. Reception calls back, so that is enough.

// uaeNumber is a UAE national significant number: a mobile (5X XXX XXXX) or a
// landline with its one-digit area code (2 Abu Dhabi, 3 Al Ain, 4 Dubai,
// 6 Sharjah/Ajman/UAQ, 7 Ras Al Khaimah, 9 Fujairah) and seven digits.
var uaeNumber = regexp.MustCompile(`^(?:5[0-9]{8}|[234679][0-9]{7})$`)

// phoneChars are what people type in a phone number besides digits.
const phoneChars = " +-().\u00a0/"

// phoneE164 turns a number typed by a person (ASCII digits) into E.164.
func phoneE164(s string) (string, bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i > 0:
			return "", false // a plus sign belongs at the start only
		case strings.ContainsRune(phoneChars, r):
		default:
			return "", false // letters, extensions, anything else
		}
	}
	d := digits.String()
	var intl string // country code and number, without the plus
	switch {
	case plus:
		intl = d
	case strings.HasPrefix(d, "00"): // international prefix dialled from the UAE
		intl = d[2:]
	case strings.HasPrefix(d, "971") && (len(d) == 11 || len(d) == 12):
		intl = d // +971 typed without the plus
	case strings.HasPrefix(d, "0"): // national format: trunk prefix 0
		intl = "971" + d[1:]
	default: // a UAE number without its trunk 0, e.g. 501234567
		intl = "971" + d
	}
	// "+971 (0)50 …" is common on business cards: the 0 is not dialled.
	if strings.HasPrefix(intl, "9710") {
		intl = "971" + intl[4:]
	}
	if strings.HasPrefix(intl, "971") {
		if !uaeNumber.MatchString(intl[3:]) {
			return "", false
		}
		return "+" + intl, true
	}
	cc := CountryCode(intl)
	if cc == "" || len(intl) < 8 || len(intl) > 15 || len(intl)-len(cc) < 6 {
		return "", false
	}
	if cc == "1" && len(intl) != 11 { // North America: ten digits after +1
		return "", false
	}
	return "+" + intl, true
}

// CountryCode returns the ITU-T E.164 country calling code that starts
// intl (digits, no "+"), or "" when it starts with no assigned code.
func CountryCode(intl string) string {
	for n := 1; n <= 3 && n <= len(intl); n++ {
		if _, ok := countryCodes[intl[:n]]; ok {
			return intl[:n]
		}
	}
	return ""
}

// countryCodes are the assigned country calling codes (ITU-T E.164 list;
// codes are prefix-free, so at most one matches).
var countryCodes = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, c := range strings.Fields(`
		1 7
		20 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229
		230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249
		250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 266 267 268 269
		27 290 291 297 298 299
		30 31 32 33 34 350 351 352 353 354 355 356 357 358 359 36
		370 371 372 373 374 375 376 377 378 379 380 381 382 383 385 386 387 389 39
		40 41 420 421 423 43 44 45 46 47 48 49
		500 501 502 503 504 505 506 507 508 509 51 52 53 54 55 56 57 58
		590 591 592 593 594 595 596 597 598 599
		60 61 62 63 64 65 66 670 672 673 674 675 676 677 678 679 680 681 682 683
		685 686 687 688 689 690 691 692
		81 82 84 850 852 853 855 856 86 880 886
		90 91 92 93 94 95 960 961 962 963 964 965 966 967 968
		970 971 972 973 974 975 976 977 98 992 993 994 995 996 998
	`) {
		m[c] = struct{}{}
	}
	return m
}()
