-- The real-time query API signs with the account's key: keep it sealed.
ALTER TABLE accounts ADD COLUMN sealed_key BLOB;

-- Polling an upstream for shipments that have no push source.
ALTER TABLE shipments ADD COLUMN next_poll_at INTEGER;
ALTER TABLE shipments ADD COLUMN poll_lease_until INTEGER;
ALTER TABLE shipments ADD COLUMN poll_claim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shipments ADD COLUMN poll_errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shipments ADD COLUMN polled_at INTEGER;
CREATE INDEX shipments_poll ON shipments (next_poll_at) WHERE next_poll_at IS NOT NULL;

-- Small named state of the service (the carrier detector's statistics).
CREATE TABLE blobs (
	name       TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	updated_at INTEGER NOT NULL
);
