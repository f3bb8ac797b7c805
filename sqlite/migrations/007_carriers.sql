-- Idempotency keys of carrier pushes (SF route id, STO outBizCode, else
-- waybill+time+code), kept for trackpush.PushKeyRetention.
CREATE TABLE carrier_push_keys (
	carrier TEXT    NOT NULL,
	key     TEXT    NOT NULL,
	seen_at INTEGER NOT NULL,
	PRIMARY KEY (carrier, key)
) WITHOUT ROWID;
CREATE INDEX carrier_push_keys_seen ON carrier_push_keys (carrier, seen_at);
