package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lamin-go/lamin"
)

// Categories of failures that belong to HTTP rather than to the SDK.
var (
	// errUnauthorized: the request carries no token or a wrong one.
	errUnauthorized = errors.New("unauthorized")
	// errMethod: the request is not a GET or HEAD.
	errMethod = errors.New("method not allowed")
	// errNoRoute: nothing is served at the path.
	errNoRoute = errors.New("no route")
)

// requestError is a complete one-line message with a category that
// errors.Is sees (an SDK category or one of the above).
type requestError struct {
	msg string
	cat error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.cat }

// failf makes an error of category cat with a message for the user.
func failf(cat error, format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...), cat: cat}
}

// statusOf maps an error to its HTTP status: the SDK's categories to 404,
// 400, 409 and 403, the server's own to 401, 405 and 404, anything else
// to 500.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed
	case errors.Is(err, errNoRoute), errors.Is(err, lamin.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, lamin.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, lamin.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, lamin.ErrPermission):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// oneLine folds a message onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// fail answers a failed request: JSON {"error": "..."} under /api/ and for
// refused methods, an error page elsewhere. Failures on the server's side are logged with the
// method and path (never the query, which may hold a token).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := oneLine(err.Error())
	if status == http.StatusInternalServerError && !errors.Is(err, context.Canceled) {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", msg)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lamin"`)
	}
	// A refused method is not a browser's doing (the pages have no forms
	// that post); it gets JSON like the API.
	if isAPI(r) || status == http.StatusMethodNotAllowed {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	s.renderView(w, r, status, "error.html", view{Title: http.StatusText(status),
		Body: errorPage{Status: status, StatusText: http.StatusText(status), Message: msg}})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// writeJSON answers with v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error": "encode response: " + oneLine(err.Error())})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
