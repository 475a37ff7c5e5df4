-- Per-application claiming of hook deliveries: store::Outbox::claimPerApp looks, for each
-- application with room, at its oldest due pending deliveries. This index serves that
-- lookup without scanning other applications' rows.

CREATE INDEX hook_deliveries_app_due ON hook_deliveries (app_key, next_attempt_at)
  WHERE state = 'pending';
