-- An ended session's token still reads the session's last events for a grace period, also
-- after its node restarted (a clean stop or a crash). The node keeps only a hash of each
-- token, never the token itself, so the table cannot be used to act as a client.
ALTER TABLE sessions ADD COLUMN token_hash bytea;
COMMENT ON COLUMN sessions.token_hash IS 'SHA-256 of the session''s authToken (never the token); lets the token read the ended session''s events for the grace period after a restart. NULL for refused connects.';
