package api

import (
	"errors"
	"io"
	"net/http"
)

// maxDrainBytes is how much of a body over the limit is read and thrown
// away so that its sender gets the 413: if the server closed the
// connection with the rest unread, the client's network stack would see a
// reset and drop the answer (a 5 MB post got "connection reset" instead of
// its 413). Past this the connection is closed anyway.
const maxDrainBytes = 10 << 20

// readBody reads at most limit bytes of r's body. Over the limit it returns
// a *http.MaxBytesError, having drained the rest (up to maxDrainBytes) and
// asked for the connection to be closed after the reply.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if tooLarge(err) {
		drain(w, r.Body)
	}
	return b, err
}

// tooLarge reports whether err is a body over its limit. errors.AsType
// needs no target on the heap: a valid post costs no allocation here.
func tooLarge(err error) bool {
	_, ok := errors.AsType[*http.MaxBytesError](err)
	return ok
}

func drain(w http.ResponseWriter, body io.Reader) {
	w.Header().Set("Connection", "close")
	io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes))
}
