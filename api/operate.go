package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/trackpush/trackpush"
)

// operateRoutes are the operator's operations the console also offers:
// search, account changes, key rotation, stopping, map templates.
func (s *Server) operateRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireToken(s.AdminToken, h) }
	mux.HandleFunc("GET /admin/subscriptions", admin(s.handleSearch))
	mux.HandleFunc("DELETE /admin/subscriptions/{id}", admin(s.handleStop))
	mux.HandleFunc("PATCH /admin/accounts/{id}", admin(s.handleUpdateAccount))
	mux.HandleFunc("POST /admin/accounts/{id}/rotate-key", admin(s.handleRotateKey))
	mux.HandleFunc("GET /admin/templates", admin(s.handleListTemplates))
	mux.HandleFunc("POST /admin/templates", admin(s.handleCreateTemplate))
	mux.HandleFunc("GET /admin/templates/{key}", admin(s.handleGetTemplate))
	mux.HandleFunc("PUT /admin/templates/{key}", admin(s.handlePutTemplate))
	mux.HandleFunc("DELETE /admin/templates/{key}", admin(s.handleDeleteTemplate))
}

// trailLink is a token's trail page: absolute under the base URL, else
// the path.
func (s *Server) trailLink(token string) string {
	if token == "" {
		return ""
	}
	if s.BaseURL != "" {
		return trackpush.TrailURL(s.BaseURL, token)
	}
	return "/trail/" + token
}

func rfc3339(t time.Time) string { return t.In(trackpush.CST).Format(time.RFC3339) }

// SubscriptionItem is a subscription in a search result.
type SubscriptionItem struct {
	ID            int64  `json:"id"`
	AccountID     int64  `json:"accountId"`
	Com           string `json:"com"`
	Nu            string `json:"nu"`
	Status        string `json:"status"`
	Message       string `json:"message,omitempty"`
	ResultV2      string `json:"resultv2"`
	MapConfigKey  string `json:"mapConfigKey,omitempty"`
	TrailURL      string `json:"trailUrl,omitempty"`
	Version       int64  `json:"version"`
	PushedVersion int64  `json:"pushedVersion"`
	Pending       bool   `json:"pending"`
	Created       string `json:"created"`
	Ended         string `json:"ended,omitempty"`
}

// handleSearch serves GET /admin/subscriptions?nu=&com=&account=&status=
// &limit=&before=: newest first; next is the URL of the next page.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, err := trackpush.ParseQuery(r.URL.Query())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	subs, err := s.Store.SearchSubscriptions(r.Context(), q)
	if err != nil {
		s.adminError(w, err)
		return
	}
	out := struct {
		Subscriptions []SubscriptionItem `json:"subscriptions"`
		Next          string             `json:"next,omitempty"`
	}{Subscriptions: []SubscriptionItem{}}
	for _, sub := range subs {
		it := SubscriptionItem{ID: sub.ID, AccountID: sub.AccountID, Com: sub.Com, Nu: sub.Nu, Status: sub.Status, Message: sub.Message,
			ResultV2: sub.Level.String(), MapConfigKey: sub.MapConfigKey, TrailURL: s.trailLink(sub.TrailToken),
			Version: sub.Push.Version, PushedVersion: sub.Push.PushedVersion, Pending: sub.Push.Pending(), Created: rfc3339(sub.CreatedAt)}
		if sub.EndedAt != nil {
			it.Ended = rfc3339(*sub.EndedAt)
		}
		out.Subscriptions = append(out.Subscriptions, it)
	}
	if len(subs) == q.PageSize() {
		next := url.Values{}
		for k, v := range r.URL.Query() {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(subs[len(subs)-1].ID, 10))
		out.Next = "/admin/subscriptions?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

// handleStop serves DELETE /admin/subscriptions/{id}: the subscription
// ends with one abort push, message 已停止跟踪, so that the subscriber
// knows; its trail link closes.
func (s *Server) handleStop(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad subscription id"})
		return
	}
	ended, err := s.Store.EndSubscription(r.Context(), trackpush.End{SubID: id, Status: trackpush.StatusAbort, Message: trackpush.MessageStopped}, s.Clock.Now())
	if err != nil {
		s.adminError(w, err)
		return
	}
	if ended && s.Pusher != nil {
		s.Pusher.Wake()
	}
	sub, err := s.Store.Subscription(r.Context(), id)
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "stopped": ended, "status": sub.Status, "message": sub.Message})
}

// handleUpdateAccount serves PATCH /admin/accounts/{id}: {"name",
// "quota", "expires" (RFC 3339; "" or null removes it), "disabled"}, each
// optional.
func (s *Server) handleUpdateAccount(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad account id"})
		return
	}
	var body map[string]json.RawMessage
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil || body == nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "body must be a JSON object: {name, quota, expires, disabled}"})
		return
	}
	for k := range body {
		switch k {
		case "name", "quota", "expires", "disabled":
		default:
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "unknown field " + k, Field: k})
			return
		}
	}
	u, err := trackpush.ParseAccountUpdate(func(name string) (string, bool) {
		v, ok := body[name]
		if !ok {
			return "", false
		}
		var str string
		if json.Unmarshal(v, &str) == nil {
			return str, true
		}
		if string(v) == "null" {
			return "", true
		}
		return string(v), true // numbers and booleans as written
	})
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	a, err := s.Store.UpdateAccount(r.Context(), id, u)
	if err != nil {
		s.adminError(w, err)
		return
	}
	s.Log.Info("admin: account updated", "account", id)
	writeJSON(w, http.StatusOK, ViewAccount(a))
}

// handleRotateKey serves POST /admin/accounts/{id}/rotate-key: a new
// key, shown this once; the old one stops working.
func (s *Server) handleRotateKey(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad account id"})
		return
	}
	var seal func(string) []byte
	if s.Keyring != nil {
		seal = s.Keyring.Seal
	}
	a, err := trackpush.RotateKey(r.Context(), s.Store, seal, id)
	if err != nil {
		s.adminError(w, err)
		return
	}
	s.Log.Info("admin: key rotated", "account", id)
	writeJSON(w, http.StatusOK, ViewAccount(a))
}

// TemplateView is a map template as the admin API shows it.
type TemplateView struct {
	*trackpush.MapTemplate
	Created string `json:"created"`
	Updated string `json:"updated"`
}

func viewTemplate(t *trackpush.MapTemplate) TemplateView {
	return TemplateView{MapTemplate: t, Created: rfc3339(t.CreatedAt), Updated: rfc3339(t.UpdatedAt)}
}

func (s *Server) handleListTemplates(w http.ResponseWriter, r *http.Request) {
	list, err := s.Store.Templates(r.Context())
	if err != nil {
		s.adminError(w, err)
		return
	}
	out := []TemplateView{}
	for _, t := range list {
		out = append(out, viewTemplate(t))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := s.Store.Template(r.Context(), r.PathValue("key"))
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTemplate(t))
}

// readTemplate reads a template's JSON body over the defaults (absent
// fields keep the default look); a key in the path wins.
func readTemplate(w http.ResponseWriter, r *http.Request, key string) (*trackpush.MapTemplate, error) {
	t := trackpush.DefaultTemplate()
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, trackpush.MaxLogoBytes+maxAdminBody))
	if err != nil {
		return nil, errors.New("body too large")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(t); err != nil {
		return nil, errors.New("body must be a template as JSON: " + err.Error())
	}
	if key != "" {
		t.Key = key
	}
	if t.Key == "" {
		t.Key = trackpush.NewToken(8)
	}
	if err := t.Validate(); err != nil {
		var e *trackpush.Error
		if errors.As(err, &e) {
			return nil, errors.New(e.Detail)
		}
		return nil, err
	}
	return t, nil
}

// handleCreateTemplate serves POST /admin/templates (key optional: one
// is made) → 201.
func (s *Server) handleCreateTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := readTemplate(w, r, "")
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	if err := s.Store.CreateTemplate(r.Context(), t, s.Clock.Now()); err != nil {
		if trackpush.ErrorCode(err) == trackpush.CodeDuplicate {
			writeJSON(w, http.StatusConflict, errorBody{Error: err.Error(), Field: "key"})
			return
		}
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, viewTemplate(t))
}

// handlePutTemplate serves PUT /admin/templates/{key}: replaces it.
func (s *Server) handlePutTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := readTemplate(w, r, r.PathValue("key"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	if err := s.Store.UpdateTemplate(r.Context(), t, s.Clock.Now()); err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTemplate(t))
}

func (s *Server) handleDeleteTemplate(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.DeleteTemplate(r.Context(), r.PathValue("key")); err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": r.PathValue("key"), "deleted": true})
}
