package enquiry

import "time"

// dubai is the clinic's time zone, Asia/Dubai: UTC+4 without daylight
// saving since 1970, so a fixed zone is exact and needs no time zone
// database (Lambda images may have none).
var dubai = time.FixedZone("+04", 4*60*60)

// DubaiLocation returns the clinic's time zone, Asia/Dubai.
func DubaiLocation() *time.Location { return dubai }

// dubaiDay returns midnight, in Dubai, of the Dubai calendar day holding t.
func dubaiDay(t time.Time) time.Time {
	t = t.In(DubaiLocation())
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, DubaiLocation())
}
