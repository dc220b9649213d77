package enquiry

import (
	"sync"
	"time"
)

// dubaiLocation is loaded once: Lambda images may have no zoneinfo, and Dubai
// has kept UTC+4 without daylight saving since 1970, so a fixed zone is exact.
var dubaiLocation = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Dubai"); err == nil {
		return loc
	}
	return time.FixedZone("+04", 4*60*60)
})

// DubaiLocation returns the clinic's time zone, Asia/Dubai (a fixed UTC+4 zone
// when the system has no time zone database).
func DubaiLocation() *time.Location { return dubaiLocation() }

// dubaiDay returns midnight, in Dubai, of the Dubai calendar day holding t.
func dubaiDay(t time.Time) time.Time {
	t = t.In(DubaiLocation())
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, DubaiLocation())
}
