// Package trackpush holds the vocabulary of a parcel-tracking
// subscribe-and-push service that is wire-compatible with Kuaidi100's
// map-trajectory push API: state codes, the push message ("param") and its
// parts, and the error codes of the protocol.
//
// The root package imports only the standard library. Adapters (sqlite,
// postgres, api, …) implement its interfaces, and cmd/trackpush wires them.
package trackpush
