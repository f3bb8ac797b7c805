package main

import (
	"errors"

	"github.com/trackpush/trackpush"
	"github.com/trackpush/trackpush/source"
)

// newSimUpstream returns the simulator as an upstream.
func newSimUpstream(seed int64, c trackpush.Clock) (source.Upstream, error) {
	return nil, errors.New("poll: the sim upstream is not available yet")
}
