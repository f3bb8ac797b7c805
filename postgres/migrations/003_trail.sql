-- Trail links: a token per subscription of the map-trajectory endpoints
-- (NULL for the classic /poll, and for subscriptions made before links).
ALTER TABLE subscriptions ADD COLUMN trail_token TEXT;
CREATE UNIQUE INDEX subscriptions_trail ON subscriptions (trail_token) WHERE trail_token IS NOT NULL;

-- The operator's search by number (the account index covers the others).
CREATE INDEX subscriptions_nu ON subscriptions (nu, id);

-- Map templates (mapConfigKey): the settings as JSON.
CREATE TABLE map_templates (
	key        TEXT   PRIMARY KEY,
	body       TEXT   NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
