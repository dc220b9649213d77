// Package lambdahttp runs an http.Handler as an AWS Lambda function behind
// API Gateway: REST APIs (payload v1, which is also what Netlify sends to Go
// functions) and HTTP APIs (payload v2). It is our own small adapter on top
// of aws-lambda-go's event types, so the function serves exactly the handler
// that functions/cmd/serve mounts.
//
// Replies carry single-value headers (Netlify ignores multiValueHeaders), and
// the client address the handler's rate limit sees comes from the event.
package lambdahttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Version names the event payload format an invocation carried.
type Version int

const (
	// V1 is API Gateway REST (events.APIGatewayProxyRequest), also sent by Netlify.
	V1 Version = 1
	// V2 is API Gateway HTTP API (events.APIGatewayV2HTTPRequest, version "2.0").
	V2 Version = 2
)

// Response is what the function returns: it fits both the v1 and the v2
// response formats. Headers hold one value each; several values of a header
// are joined with ", ", except Set-Cookie, which cannot be joined: v2 returns
// cookies in Cookies, v1 keeps the first in Headers and all of them in
// MultiValueHeaders (API Gateway REST honours it; Netlify takes the first).
type Response struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Cookies           []string            `json:"cookies,omitempty"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// Handler returns a Lambda handler (for lambda.Start) that serves h for
// API Gateway v1/v2 and Netlify events. An event that is not an HTTP event is
// an error (the invocation fails); a request that cannot be rebuilt (a body
// that is not valid base64) is answered 400 without reaching h.
func Handler(h http.Handler) func(ctx context.Context, raw json.RawMessage) (*Response, error) {
	return func(ctx context.Context, raw json.RawMessage) (*Response, error) {
		r, v, err := Request(ctx, raw)
		if errors.Is(err, errBadBody) {
			return plain(http.StatusBadRequest, "Bad request: the body could not be decoded.\n"), nil
		}
		if err != nil {
			return nil, err
		}
		w := newRecorder()
		h.ServeHTTP(w, r)
		return w.response(v, r.Method), nil
	}
}

var errBadBody = errors.New("lambdahttp: request body is not valid base64")

// probe holds just enough of an event to tell the payload formats apart.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// netlifyEvent is a v1 event plus the fields Netlify adds to it.
type netlifyEvent struct {
	events.APIGatewayProxyRequest
	RawURL   string `json:"rawUrl"`
	RawQuery string `json:"rawQuery"`
}

// Request rebuilds the HTTP request an event describes, and says which
// payload format it came in. The request's context is ctx (so the handler
// sees the function's deadline).
func Request(ctx context.Context, raw json.RawMessage) (*http.Request, Version, error) {
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, 0, fmt.Errorf("lambdahttp: event is not a JSON object: %w", err)
	}
	switch {
	case p.Version == "2.0" || p.RequestContext.HTTP.Method != "":
		var e events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, 0, fmt.Errorf("lambdahttp: API Gateway v2 event: %w", err)
		}
		r, err := requestV2(ctx, &e)
		return r, V2, err
	case p.HTTPMethod != "":
		var e netlifyEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, 0, fmt.Errorf("lambdahttp: API Gateway v1 event: %w", err)
		}
		r, err := requestV1(ctx, &e)
		return r, V1, err
	default:
		return nil, 0, errors.New("lambdahttp: not an API Gateway or Netlify HTTP event (no httpMethod, no requestContext.http.method)")
	}
}

func requestV1(ctx context.Context, e *netlifyEvent) (*http.Request, error) {
	h := make(http.Header, len(e.MultiValueHeaders)+len(e.Headers))
	for k, vs := range e.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range e.Headers {
		if _, ok := h[http.CanonicalHeaderKey(k)]; !ok {
			h.Set(k, v)
		}
	}

	query := e.RawQuery
	if query == "" {
		q := url.Values{}
		for k, vs := range e.MultiValueQueryStringParameters {
			q[k] = append(q[k], vs...)
		}
		for k, v := range e.QueryStringParameters {
			if _, ok := q[k]; !ok {
				q.Set(k, v)
			}
		}
		query = q.Encode()
	}

	return build(ctx, e.HTTPMethod, e.Path, query, h, e.RequestContext.DomainName, e.RequestContext.Identity.SourceIP, e.Body, e.IsBase64Encoded)
}

func requestV2(ctx context.Context, e *events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	h := make(http.Header, len(e.Headers)+1)
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	if len(e.Cookies) > 0 {
		h.Set("Cookie", strings.Join(e.Cookies, "; "))
	}

	method := e.RequestContext.HTTP.Method
	path := e.RawPath
	if path == "" {
		path = e.RequestContext.HTTP.Path
	}
	// With a named stage (not $default), the path starts with the stage name.
	if st := e.RequestContext.Stage; st != "" && st != "$default" {
		if rest, ok := strings.CutPrefix(path, "/"+st); ok && (rest == "" || rest[0] == '/') {
			path = rest
		}
	}

	return build(ctx, method, path, e.RawQueryString, h, e.RequestContext.DomainName, e.RequestContext.HTTP.SourceIP, e.Body, e.IsBase64Encoded)
}

// netlifyClientIP is the visitor's address as Netlify's edge reports it.
func netlifyClientIP(h http.Header) string {
	for _, k := range []string{"X-Nf-Client-Connection-Ip", "Client-Ip"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" {
			return v
		}
	}
	return ""
}

func build(ctx context.Context, method, path, query string, h http.Header, domainName, sourceIP, body string, b64 bool) (*http.Request, error) {
	// API Gateway's own view of the caller wins: on AWS a client could send
	// any x-nf-* header. Netlify's events have no requestContext, and Netlify
	// sets x-nf-client-connection-ip itself.
	ip := sourceIP
	if ip == "" {
		ip = netlifyClientIP(h)
	}
	host := h.Get("Host")
	if host == "" {
		host = domainName
	}
	var data []byte
	if b64 {
		var err error
		data, err = base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, errBadBody
		}
	} else {
		data = []byte(body)
	}
	if method == "" {
		method = http.MethodGet
	}
	path = MapPath(path)
	u, err := url.ParseRequestURI(path)
	if err != nil {
		u = &url.URL{Path: path}
	}
	u.RawQuery = query

	r, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("lambdahttp: rebuild request: %w", err)
	}
	// Like net/http's server: Host lives in r.Host, not in the header map.
	h.Del("Host")
	r.Header = h
	r.Host = host
	r.RequestURI = u.RequestURI()
	r.ContentLength = int64(len(data))
	if len(data) > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		h.Set("Content-Length", strconv.Itoa(len(data)))
	} else {
		h.Del("Content-Length")
		r.Body = http.NoBody
	}
	h.Del("Transfer-Encoding")
	if ip != "" {
		if addr := net.ParseIP(strings.Trim(ip, "[]")); addr != nil {
			r.RemoteAddr = net.JoinHostPort(addr.String(), "0")
		}
	}
	if strings.EqualFold(h.Get("X-Forwarded-Proto"), "https") {
		// The platform ended TLS for us; handlers that ask r.TLS learn the
		// visitor used HTTPS, as with cmd/serve behind TLS.
		r.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: stripPort(host)}
	}
	return r, nil
}

func stripPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

const netlifyPrefix = "/.netlify/functions/"

// MapPath maps Netlify's function paths onto the handler's routes and leaves
// every other path alone. With the rewrite "/api/*" to
// "/.netlify/functions/enquiry/:splat", Netlify usually hands the function
// the original path (/api/enquiry), but a direct call, or a rewritten one,
// arrives as:
//
//	/.netlify/functions/enquiry           -> /api/enquiry
//	/.netlify/functions/enquiry/enquiry   -> /api/enquiry
//	/.netlify/functions/enquiry/health    -> /api/health
func MapPath(p string) string {
	rest, ok := strings.CutPrefix(p, netlifyPrefix)
	if !ok {
		if p == "" {
			return "/"
		}
		return p
	}
	name, sub, _ := strings.Cut(rest, "/")
	if sub == "" {
		return "/api/" + name
	}
	return "/api/" + sub
}

// recorder is a minimal http.ResponseWriter that keeps the whole reply.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: make(http.Header)} }

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.status != 0 || code < 100 || code > 999 {
		return
	}
	if code >= 200 {
		w.status = code
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// Flush lets handlers that flush work; the reply is sent whole anyway.
func (w *recorder) Flush() {}

func (w *recorder) response(v Version, method string) *Response {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body := w.body.Bytes()
	if method == http.MethodHead {
		body = nil
	}
	if w.header.Get("Content-Type") == "" && len(body) > 0 {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	res := &Response{StatusCode: status, Headers: make(map[string]string, len(w.header))}
	for k, vs := range w.header {
		if len(vs) == 0 {
			continue
		}
		if k == "Set-Cookie" {
			if v == V2 {
				res.Cookies = append(res.Cookies, vs...)
				continue
			}
			res.Headers[k] = vs[0]
			if len(vs) > 1 {
				res.MultiValueHeaders = map[string][]string{k: vs}
			}
			continue
		}
		res.Headers[k] = strings.Join(vs, ", ")
	}
	if isText(w.header, body) {
		res.Body = string(body)
	} else {
		res.Body = base64.StdEncoding.EncodeToString(body)
		res.IsBase64Encoded = true
	}
	return res
}

// isText reports whether a body can travel as a JSON string unchanged.
func isText(h http.Header, body []byte) bool {
	if len(body) == 0 {
		return true
	}
	if ce := h.Get("Content-Encoding"); ce != "" && ce != "identity" {
		return false
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	textual := strings.HasPrefix(ct, "text/") ||
		strings.Contains(ct, "json") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "javascript") || strings.Contains(ct, "x-www-form-urlencoded")
	return textual && utf8.Valid(body)
}

func plain(status int, msg string) *Response {
	return &Response{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           "text/plain; charset=utf-8",
			"X-Content-Type-Options": "nosniff",
		},
		Body: msg,
	}
}
