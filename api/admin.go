package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/trackpush/trackpush"
)

// NewCredential returns a random credential: 32 hexadecimal digits.
func NewCredential() string { return trackpush.NewToken(16) }

// adminTime writes a time for the operator: RFC 3339 with the offset, as
// everywhere the operator reads (the admin API, the CLI, the logs); only
// the wire keeps the original's China time without a zone.
func adminTime(t time.Time) string { return t.Format(time.RFC3339) }

// AccountView is an account as the admin API and CLI show it.
type AccountView struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	AppCode   string `json:"appcode,omitempty"`
	Key       string `json:"key,omitempty"`
	KeyPrefix string `json:"keyPrefix"`
	Quota     int    `json:"quota"`
	Used      int    `json:"used"`
	Expires   string `json:"expires,omitempty"`
	Disabled  bool   `json:"disabled"`
	Created   string `json:"created"`
}

// ViewAccount returns the view of an account.
func ViewAccount(a *trackpush.Account) AccountView {
	v := AccountView{ID: a.ID, Name: a.Name, AppCode: a.AppCode, Key: a.Key, KeyPrefix: a.KeyPrefix,
		Quota: a.Quota, Used: a.Used, Disabled: a.Disabled, Created: adminTime(a.CreatedAt)}
	if a.ExpiresAt != nil {
		v.Expires = adminTime(*a.ExpiresAt)
	}
	return v
}

func (s *Server) handleCreateAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name    string `json:"name"`
		Quota   int    `json:"quota"`
		Expires string `json:"expires"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "body must be {name, quota, expires}"})
		return
	}
	a, err := NewAccount(req.Name, req.Quota, req.Expires)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	if s.Keyring != nil {
		a.SealedKey = s.Keyring.Seal(a.Key)
	}
	if err := s.Store.CreateAccount(r.Context(), a); err != nil {
		s.Log.Error("create account", "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "could not create the account"})
		return
	}
	writeJSON(w, http.StatusCreated, ViewAccount(a))
}

// NewAccount validates account settings and returns an account with fresh
// credentials, not yet stored (trackpush.NewAccount).
func NewAccount(name string, quota int, expires string) (*trackpush.Account, error) {
	return trackpush.NewAccount(name, quota, expires)
}

func (s *Server) handleListAccounts(w http.ResponseWriter, r *http.Request) {
	accts, err := s.Store.Accounts(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "could not list accounts"})
		return
	}
	out := make([]AccountView, 0, len(accts))
	for _, a := range accts {
		out = append(out, ViewAccount(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) adminError(w http.ResponseWriter, err error) {
	if trackpush.ErrorCode(err) == trackpush.CodeNotFound {
		writeJSON(w, http.StatusNotFound, errorBody{Error: err.Error()})
		return
	}
	s.Log.Error("admin", "err", err)
	writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal error"})
}

func (s *Server) handleDisableAccount(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad account id"})
			return
		}
		if err := s.Store.SetAccountDisabled(r.Context(), id, disabled); err != nil {
			s.adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "disabled": disabled})
	}
}

// SubscriptionView is a subscription as the admin API shows it.
type SubscriptionView struct {
	ID            int64          `json:"id"`
	AccountID     int64          `json:"accountId"`
	Com           string         `json:"com"`
	Nu            string         `json:"nu"`
	From          string         `json:"from"`
	To            string         `json:"to"`
	CallbackURL   string         `json:"callbackurl"`
	ResultV2      string         `json:"resultv2"`
	Status        string         `json:"status"`
	Message       string         `json:"message,omitempty"`
	Version       int64          `json:"version"`
	PushedVersion int64          `json:"pushedVersion"`
	GaveUpVersion int64          `json:"gaveUpVersion"`
	Attempts      int            `json:"attempts"`
	NextAttempt   string         `json:"nextAttempt,omitempty"`
	Created       string         `json:"created"`
	Ended         string         `json:"ended,omitempty"`
	MapConfigKey  string         `json:"mapConfigKey,omitempty"`
	TrailURL      string         `json:"trailUrl,omitempty"`
	Deliveries    []DeliveryView `json:"deliveries"`
}

// DeliveryView is one attempt of the delivery log.
type DeliveryView struct {
	Version    int64  `json:"version"`
	Attempt    int    `json:"attempt"`
	Status     string `json:"status"`
	At         string `json:"at"`
	LatencyMS  int64  `json:"latencyMs"`
	HTTPStatus int    `json:"httpStatus"`
	OK         bool   `json:"ok"`
	GaveUp     bool   `json:"gaveUp"`
	Error      string `json:"error,omitempty"`
	Response   string `json:"response,omitempty"`
}

func (s *Server) handleGetSubscription(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad subscription id"})
		return
	}
	sub, err := s.Store.Subscription(r.Context(), id)
	if err != nil {
		s.adminError(w, err)
		return
	}
	log, err := s.Store.Deliveries(r.Context(), id, 50)
	if err != nil {
		s.adminError(w, err)
		return
	}
	v := SubscriptionView{ID: sub.ID, AccountID: sub.AccountID, Com: sub.Com, Nu: sub.Nu, From: sub.FromText, To: sub.ToText,
		CallbackURL: sub.CallbackURL, ResultV2: sub.Level.String(), Status: sub.Status, Message: sub.Message,
		Version: sub.Push.Version, PushedVersion: sub.Push.PushedVersion, GaveUpVersion: sub.Push.GaveUpVersion,
		Attempts: sub.Push.Attempts, Created: adminTime(sub.CreatedAt), Deliveries: []DeliveryView{},
		MapConfigKey: sub.MapConfigKey, TrailURL: s.trailLink(sub.TrailToken)}
	for _, d := range log {
		v.Deliveries = append(v.Deliveries, DeliveryView{Version: d.Version, Attempt: d.Attempt, Status: d.Status,
			At: adminTime(d.At), LatencyMS: d.Latency.Milliseconds(), HTTPStatus: d.HTTPStatus,
			OK: d.OK, GaveUp: d.GaveUp, Error: d.Error, Response: d.Response})
	}
	if sub.Push.NextAttemptAt != nil {
		v.NextAttempt = adminTime(*sub.Push.NextAttemptAt)
	}
	if sub.EndedAt != nil {
		v.Ended = adminTime(*sub.EndedAt)
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleUpdateAll(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad subscription id"})
		return
	}
	if err := s.Store.UpdateAll(r.Context(), id, s.Clock.Now()); err != nil {
		s.adminError(w, err)
		return
	}
	if s.Pusher != nil {
		s.Pusher.Wake()
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": trackpush.PushUpdateAll})
}
