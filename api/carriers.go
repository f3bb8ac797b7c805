package api

// CheckNumber checks a tracking number as the subscribe and ingest
// endpoints do (6–32 letters, digits or '-'); the carriers' push receiver
// applies it to the waybills carriers push.
func CheckNumber(nu string) error { return checkNumber(nu) }
