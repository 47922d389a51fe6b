package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/tidtam/tidtam/api"
)

// openAPISpec is api/openapi.json loaded once for every test, with the
// router that finds a request's operation in it.
var openAPISpec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
	// mu serialises validations: they share the loaded document.
	mu sync.Mutex
}

// loadOpenAPI returns the document and its router, loaded and validated
// with kin-openapi on first use; a document that does not load or
// validate fails the test.
func loadOpenAPI(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	openAPISpec.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument())
		if err != nil {
			openAPISpec.err = fmt.Errorf("loading openapi.json: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			openAPISpec.err = fmt.Errorf("openapi.json is not a valid OpenAPI 3 document: %w", err)
			return
		}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			openAPISpec.err = fmt.Errorf("routing openapi.json: %w", err)
			return
		}
		openAPISpec.doc, openAPISpec.router = doc, r
	})
	if openAPISpec.err != nil {
		t.Fatal(openAPISpec.err)
	}
	return openAPISpec.doc, openAPISpec.router
}

// checkOpenAPI validates one exchange with the API against openapi.json:
// req as sent (its body, already consumed, given as reqBody) and the
// answer res with its body resBody. The request is validated only when
// the answer is 2xx (tests send invalid requests on purpose to check the
// 4xx); the answer always is, its status included, so a 4xx must match a
// documented error response. A JSON answer is validated against its
// schema, any other (iCalendar, file downloads) by its content type only.
// Paths the document does not describe (probes of unknown paths) are
// skipped: the route tests check that every registered route is
// documented. A mismatch is reported with t.Errorf.
func checkOpenAPI(t testing.TB, req *http.Request, reqBody []byte, res *http.Response, resBody []byte) {
	t.Helper()
	_, router := loadOpenAPI(t)
	openAPISpec.mu.Lock()
	defer openAPISpec.mu.Unlock()
	ctx := context.Background()
	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		return
	}
	// The router matches the escaped path; the app unescapes it before
	// routing (UnescapePath), so parameters are validated unescaped.
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			params[k] = u
		}
	}
	where := fmt.Sprintf("%s %s → %d", req.Method, req.URL.RequestURI(), res.StatusCode)
	mediaType := func(h string) string {
		mt, _, _ := mime.ParseMediaType(h)
		return mt
	}
	in := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// kin-openapi's multipart decoder does not know file parts of
			// every content type; the handlers check those bodies.
			ExcludeRequestBody: mediaType(req.Header.Get("Content-Type")) == "multipart/form-data",
		},
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("openapi: %s: the request does not match openapi.json: %v", where, err)
		}
	}
	ct := res.Header.Get("Content-Type")
	jsonBody := mediaType(ct) == "application/json"
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(resBody)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			ExcludeResponseBody:   !jsonBody,
		},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("openapi: %s: the response does not match openapi.json: %v", where, err)
		return
	}
	if !jsonBody && len(resBody) > 0 {
		r := route.Operation.Responses.Status(res.StatusCode)
		if r == nil || r.Value == nil || r.Value.Content.Get(ct) == nil {
			t.Errorf("openapi: %s: content type %q is not documented for this response", where, ct)
		}
	}
}

// camelCase is the form of an operationId.
var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// TestOpenAPIDocumentIsValid loads openapi.json with kin-openapi, validates
// it, and checks what the linter and client generators need: a unique
// camelCase operationId on every operation, every path parameter declared,
// and a schema for every answer with a body.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	ids := map[string]string{}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			where := method + " " + path
			switch prev, dup := ids[op.OperationID]; {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", where)
			case !camelCase.MatchString(op.OperationID):
				t.Errorf("%s: operationId %q is not camelCase", where, op.OperationID)
			case dup:
				t.Errorf("%s: operationId %q is also %s", where, op.OperationID, prev)
			}
			ids[op.OperationID] = where
			declared := map[string]bool{}
			for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range ps {
					if p.Value.In == openapi3.ParameterInPath && p.Value.Required {
						declared[p.Value.Name] = true
					}
				}
			}
			for _, seg := range strings.Split(path, "/") {
				if name, ok := strings.CutPrefix(seg, "{"); ok && !declared[strings.TrimSuffix(name, "}")] {
					t.Errorf("%s: path parameter %s is not declared as a required path parameter", where, seg)
				}
			}
			if (method == http.MethodPut || method == http.MethodPatch) && op.RequestBody == nil {
				t.Errorf("%s has no request body", where)
			}
			success := false
			for code, r := range op.Responses.Map() {
				success = success || strings.HasPrefix(code, "2")
				if code == "204" || code == "304" { // no body by definition
					continue
				}
				if len(r.Value.Content) == 0 {
					t.Errorf("%s: response %s has no content", where, code)
				}
				for mt, c := range r.Value.Content {
					if c.Schema == nil {
						t.Errorf("%s: response %s %s has no schema", where, code, mt)
					}
				}
			}
			if !success {
				t.Errorf("%s has no success response", where)
			}
			if op.RequestBody != nil {
				for mt, c := range op.RequestBody.Value.Content {
					if c.Schema == nil {
						t.Errorf("%s: request body %s has no schema", where, mt)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("openapi.json has no operations")
	}
	t.Logf("%d operations", n)
}
