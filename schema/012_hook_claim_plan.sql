-- The per-application claim (store::Outbox::claimPerApp) must find each application's due
-- rows through hook_deliveries_app_due (app_key, next_attempt_at). With hook_deliveries_due
-- (next_attempt_at) beside it, the planner takes that one whenever the statistics show few
-- distinct applications (one application receiving everything) and then reads every due row
-- of every application once per application: milliseconds per claim under a backlog. No
-- other statement needs it (the soonest-due look computes over the leases as well).

DROP INDEX IF EXISTS hook_deliveries_due;
