-- Hooks go over https (certificate and host name verified); an application marked development
-- may use plain http and unverified https. An application may present a client certificate
-- to its hook endpoint (mutual TLS).

ALTER TABLE apps
  ADD COLUMN development boolean NOT NULL DEFAULT false,
  ADD COLUMN client_certificate text NOT NULL DEFAULT '',
  ADD COLUMN client_key text NOT NULL DEFAULT '';
COMMENT ON COLUMN apps.development IS 'Marked for development: hooks may use plain http and an https endpoint''s certificate is not verified. Logged at start, listed, counted in /metrics.';
COMMENT ON COLUMN apps.client_certificate IS 'PEM client certificate (and chain) presented to the hook endpoint when it asks (mutual TLS); empty = none.';
COMMENT ON COLUMN apps.client_key IS 'PEM private key of client_certificate. Confidential: never export.';

-- Until now hooks could only be http: applications with an http hook URL keep their hooks by
-- being marked development (loudly) rather than having every delivery refused.
UPDATE apps SET development = true WHERE hook_url LIKE 'http:%';
