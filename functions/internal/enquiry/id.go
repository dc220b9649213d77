package enquiry

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"strconv"
	"strings"
)

// idEncoding is lowercase base32 without padding: letters and digits only,
// safe in a file name, a URL and Resend's Idempotency-Key.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// id returns "enq_" and 26 characters: the first 128 bits of an HMAC-SHA256
// over the kind, the language, every normalised answer in a fixed order and
// the Dubai date of receipt. The same answers sent twice the same Dubai day
// (double click, retry, reload) get the same id, so reception gets one email;
// the HMAC key keeps ids from revealing or confirming the answers.
func (p *Parser) id(e *Enquiry) string {
	m := hmac.New(sha256.New, p.secret)
	field := func(name, value string) {
		for _, s := range []string{name, value} { // length-prefixed, so no two answer sets encode alike
			m.Write(binary.AppendUvarint(nil, uint64(len(s))))
			m.Write([]byte(s))
		}
	}
	field("v", "1") // version of this encoding
	field(FieldKind, e.Kind)
	field(FieldLang, e.Lang)
	field("day", e.Received.In(DubaiLocation()).Format("2006-01-02"))
	field(FieldName, e.Name)
	field(FieldEmail, e.Email)
	field(FieldPhone, e.Phone)
	field(FieldContact, e.Contact)
	switch e.Kind {
	case KindAppointment:
		field(FieldDate, e.Date)
		field(FieldTime, e.TimeOfDay)
		field(FieldMessage, e.Message)
	case KindSuitability:
		field(FieldArea, e.Area)
		field(FieldCondition, e.Condition)
		field(FieldDuration, e.Duration)
		field(FieldPain, strconv.Itoa(e.Pain))
		field(FieldTried, strings.Join(e.Tried, ","))
		field(FieldThinners, e.Thinners)
		field(FieldNote, e.Note)
	}
	sum := m.Sum(nil)
	return "enq_" + idEncoding.EncodeToString(sum[:16])
}

// RandomID looks like an enquiry id but is random: the honeypot's answer,
// so a bot cannot tell it from a real one.
func RandomID() string {
	var b [16]byte
	rand.Read(b[:])
	return "enq_" + idEncoding.EncodeToString(b[:])
}
