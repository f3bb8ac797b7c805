-- The push engine skips hosts at their concurrency cap when it claims.
ALTER TABLE subscriptions ADD COLUMN callback_host TEXT NOT NULL DEFAULT '';
CREATE INDEX subscriptions_due_host ON subscriptions (next_attempt_at, callback_host) WHERE next_attempt_at IS NOT NULL;
