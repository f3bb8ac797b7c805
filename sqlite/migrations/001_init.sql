-- Times are Unix milliseconds of the service clock; event times are Unix
-- seconds of the carrier's wall clock (China Standard Time).

CREATE TABLE accounts (
	id           INTEGER PRIMARY KEY,
	name         TEXT    NOT NULL,
	appcode_hash TEXT    NOT NULL UNIQUE,
	key_hash     TEXT    NOT NULL UNIQUE,
	key_prefix   TEXT    NOT NULL,
	quota        INTEGER NOT NULL,
	used         INTEGER NOT NULL DEFAULT 0,
	expires_at   INTEGER,
	disabled     INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
);

CREATE TABLE shipments (
	id            INTEGER PRIMARY KEY,
	com           TEXT    NOT NULL,
	nu            TEXT    NOT NULL,
	from_area     TEXT,
	to_area       TEXT,
	state         INTEGER NOT NULL DEFAULT 0,
	signed        INTEGER NOT NULL DEFAULT 0,
	finished      INTEGER NOT NULL DEFAULT 0,
	last_event_at INTEGER,
	event_count   INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	changed_at    INTEGER NOT NULL,
	UNIQUE (com, nu)
);

CREATE TABLE events (
	shipment_id INTEGER NOT NULL REFERENCES shipments (id),
	seq         INTEGER NOT NULL,
	time        INTEGER NOT NULL,
	raw_time    TEXT    NOT NULL,
	context     TEXT    NOT NULL,
	state       INTEGER NOT NULL,
	area        TEXT,
	PRIMARY KEY (shipment_id, seq),
	UNIQUE (shipment_id, time, context)
) WITHOUT ROWID;

CREATE TABLE subscriptions (
	id                INTEGER PRIMARY KEY,
	account_id        INTEGER NOT NULL REFERENCES accounts (id),
	shipment_id       INTEGER NOT NULL REFERENCES shipments (id),
	com               TEXT    NOT NULL,
	nu                TEXT    NOT NULL,
	from_text         TEXT    NOT NULL,
	to_text           TEXT    NOT NULL,
	from_area         TEXT,
	to_area           TEXT,
	callback_url      TEXT    NOT NULL,
	salt              TEXT,
	phone             TEXT    NOT NULL,
	map_config_key    TEXT    NOT NULL,
	level             INTEGER NOT NULL,
	status            TEXT    NOT NULL,
	message           TEXT    NOT NULL DEFAULT '',
	auto_check        TEXT    NOT NULL DEFAULT '0',
	com_old           TEXT    NOT NULL DEFAULT '',
	com_new           TEXT    NOT NULL DEFAULT '',
	created_at        INTEGER NOT NULL,
	ended_at          INTEGER,
	-- when to look at it for the 3-day / 60-day aborts
	stale_at          INTEGER,
	-- push state (trackpush.PushState)
	version           INTEGER NOT NULL DEFAULT 0,
	pushed_version    INTEGER NOT NULL DEFAULT 0,
	gave_up_version   INTEGER NOT NULL DEFAULT 0,
	attempts          INTEGER NOT NULL DEFAULT 0,
	next_attempt_at   INTEGER,
	lease_until       INTEGER,
	claim             INTEGER NOT NULL DEFAULT 0,
	end_version       INTEGER NOT NULL DEFAULT 0,
	updateall_version INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX subscriptions_due ON subscriptions (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX subscriptions_stale ON subscriptions (stale_at) WHERE status = 'polling';
CREATE INDEX subscriptions_shipment ON subscriptions (shipment_id) WHERE status = 'polling';
CREATE INDEX subscriptions_account ON subscriptions (account_id, com, nu, created_at);

CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY,
	subscription_id INTEGER NOT NULL,
	version         INTEGER NOT NULL,
	attempt         INTEGER NOT NULL,
	status          TEXT    NOT NULL,
	at              INTEGER NOT NULL,
	latency_us      INTEGER NOT NULL,
	http_status     INTEGER NOT NULL,
	ok              INTEGER NOT NULL,
	gave_up         INTEGER NOT NULL,
	error           TEXT    NOT NULL,
	response        TEXT    NOT NULL
);

CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
