//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

import "os"

// lockFile has no file lock to take on this platform: a second server is
// not refused, and no claim is released at open (each runs out with its
// lease).
func lockFile(path string) (*os.File, bool, error) { return nil, false, nil }
