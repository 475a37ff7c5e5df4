-- Browser origins allowed to call the client API of each application (CORS).

ALTER TABLE apps ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN apps.allowed_origins IS 'Browser origins (scheme://host[:port], lower case, or *) whose pages may call the client API for this application (CORS); empty = none.';
