-- The route model (route/): the forecast made at a shipment's newest event,
-- the gazetteer of the carriers' sites and the learned statistics, shared
-- by every node.

-- JSON of trackpush.Forecast; NULL until one is made.
ALTER TABLE shipments ADD COLUMN forecast TEXT;

-- The gazetteer: a carrier's transfer centres and outlets as its scans name
-- them. A place keeps its first sighting, except that one whose region was
-- unknown takes the region of a later one.
CREATE TABLE places (
	com        TEXT             NOT NULL,
	key        TEXT             NOT NULL,
	name       TEXT             NOT NULL,
	type       TEXT             NOT NULL,
	area_code  TEXT             NOT NULL DEFAULT '',
	lng        DOUBLE PRECISION NOT NULL DEFAULT 0,
	lat        DOUBLE PRECISION NOT NULL DEFAULT 0,
	updated_at BIGINT           NOT NULL,
	PRIMARY KEY (com, key)
);

CREATE INDEX places_updated ON places (updated_at);

-- The learned statistics: bins of fixed histograms (and counts of next
-- stops), n = n + delta. Each bin is kept in a few shards (a shipment
-- always adds to shard id % 8), so that ingests on several nodes do not
-- queue on the rows every shipment adds to (the classes of legs); a bin's
-- total is the sum of its shards.
CREATE TABLE route_counts (
	kind       SMALLINT NOT NULL,
	com        TEXT     NOT NULL,
	key        TEXT     NOT NULL,
	bucket     SMALLINT NOT NULL,
	bin        SMALLINT NOT NULL,
	shard      SMALLINT NOT NULL,
	n          BIGINT   NOT NULL,
	updated_at BIGINT   NOT NULL,
	PRIMARY KEY (kind, com, key, bucket, bin, shard)
);

CREATE INDEX route_counts_updated ON route_counts (updated_at);
