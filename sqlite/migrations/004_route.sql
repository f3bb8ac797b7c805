-- The route model (route/): the forecast made at a shipment's newest event,
-- the gazetteer of the carriers' sites and the learned statistics.

-- JSON of trackpush.Forecast; NULL until one is made.
ALTER TABLE shipments ADD COLUMN forecast TEXT;

-- The gazetteer: a carrier's transfer centres and outlets as its scans name
-- them. A place keeps its first sighting, except that one whose region was
-- unknown takes the region of a later one.
CREATE TABLE places (
	com        TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	type       TEXT    NOT NULL,
	area_code  TEXT    NOT NULL DEFAULT '',
	lng        REAL    NOT NULL DEFAULT 0,
	lat        REAL    NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (com, key)
) WITHOUT ROWID;

CREATE INDEX places_updated ON places (updated_at);

-- The learned statistics: bins of fixed histograms (and counts of next
-- stops), n = n + delta.
CREATE TABLE route_counts (
	kind       INTEGER NOT NULL,
	com        TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	bucket     INTEGER NOT NULL,
	bin        INTEGER NOT NULL,
	n          INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (kind, com, key, bucket, bin)
) WITHOUT ROWID;

CREATE INDEX route_counts_updated ON route_counts (updated_at);
