// Package lambdahttp runs an http.Handler as an AWS Lambda function behind
// API Gateway, REST APIs (payload v1, which is also what Netlify sends to Go
// functions) and HTTP APIs (payload v2), with AWS's
// aws-lambda-go-api-proxy. What is ours: telling the two payloads apart in
// one function, Netlify's function paths and client address, a named v2
// stage, and replies whose headers are single strings (Netlify ignores
// multiValueHeaders).
package lambdahttp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// Handler returns a Lambda handler (for lambda.Start) that serves h for
// API Gateway v1/v2 and Netlify events. An event that is not an HTTP event,
// or whose body is not valid base64, fails the invocation.
func Handler(h http.Handler) func(ctx context.Context, raw json.RawMessage) (any, error) {
	v1, v2 := httpadapter.New(h), httpadapter.NewV2(h)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var p probe
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("lambdahttp: event is not a JSON object: %w", err)
		}
		switch {
		case p.Version == "2.0" || p.RequestContext.HTTP.Method != "":
			var e events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, fmt.Errorf("lambdahttp: API Gateway v2 event: %w", err)
			}
			e.RawPath = cmp.Or(e.RawPath, e.RequestContext.HTTP.Path)
			// With a named stage (not $default), the path starts with its name.
			if st := e.RequestContext.Stage; st != "" && st != "$default" {
				if rest, ok := strings.CutPrefix(e.RawPath, "/"+st); ok && (rest == "" || rest[0] == '/') {
					e.RawPath = rest
				}
			}
			return v2.ProxyWithContext(ctx, e)
		case p.HTTPMethod != "":
			var e events.APIGatewayProxyRequest
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, fmt.Errorf("lambdahttp: API Gateway v1 event: %w", err)
			}
			netlify(&e)
			res, err := v1.ProxyWithContext(ctx, e)
			res.Headers = make(map[string]string, len(res.MultiValueHeaders))
			for k, vs := range res.MultiValueHeaders {
				res.Headers[k] = strings.Join(vs, ", ")
			}
			res.MultiValueHeaders = nil
			return res, err
		default:
			return nil, errors.New("lambdahttp: not an API Gateway or Netlify HTTP event (no httpMethod, no requestContext.http.method)")
		}
	}
}

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

// netlify fills in a v1 event what Netlify leaves out or says elsewhere:
// headers only in headers (the adapter reads multiValueHeaders when there
// are any), the client address, and the handler's path.
func netlify(e *events.APIGatewayProxyRequest) {
	if len(e.MultiValueHeaders) > 0 {
		have := make(map[string]bool, len(e.MultiValueHeaders))
		for k := range e.MultiValueHeaders {
			have[http.CanonicalHeaderKey(k)] = true
		}
		for k, v := range e.Headers {
			if !have[http.CanonicalHeaderKey(k)] {
				e.MultiValueHeaders[k] = []string{v}
			}
		}
	}
	// API Gateway's own view of the caller wins: on AWS a client could send
	// any x-nf-* header. Netlify's events have no requestContext, and Netlify
	// sets x-nf-client-connection-ip itself.
	if e.RequestContext.Identity.SourceIP == "" {
		h := http.Header{}
		for k, v := range e.Headers {
			h.Set(k, v)
		}
		for _, k := range []string{"X-Nf-Client-Connection-Ip", "Client-Ip"} {
			if v := strings.TrimSpace(h.Get(k)); v != "" {
				e.RequestContext.Identity.SourceIP = v
				break
			}
		}
	}
	e.Path = MapPath(e.Path)
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
		return p
	}
	name, sub, _ := strings.Cut(rest, "/")
	if sub == "" {
		return "/api/" + name
	}
	return "/api/" + sub
}
