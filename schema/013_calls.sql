-- Calls: one row per call leg (one call as seen by one session) with its latest status and
-- the time of each transition, and views that group the legs of one call and report on them.
--
-- Rows are written only by the trigger sipbridge_apply_call_event, which applies every
-- committed CallStatusEvent and OnCallEvent in the transaction that commits the event (so
-- the table never lags behind the events): TRYING (outgoing) or OnCallEvent (incoming)
-- opens a leg, later statuses update it, FINISH, BUSY and FAILED close it.

CREATE TABLE call_legs (
  leg_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id       text NOT NULL,
  call_id          text NOT NULL,
  app_key          text NOT NULL,
  node_id          text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  caller           text NOT NULL DEFAULT '',
  callee           text NOT NULL DEFAULT '',
  visible_name     text NOT NULL DEFAULT '',
  sip_call_id      text,
  has_video        boolean NOT NULL DEFAULT false,
  status           text NOT NULL CHECK (status IN ('TRYING', 'RING', 'SESSION_PROGRESS',
                                                   'ESTABLISHED', 'HOLD', 'BUSY', 'FAILED',
                                                   'FINISH')),
  sip_status       integer,
  info             text NOT NULL DEFAULT '',
  transferred_from text,
  created_at       timestamptz NOT NULL,
  ringing_at       timestamptz,
  established_at   timestamptz,
  ended_at         timestamptz,
  final_status     text CHECK (final_status IN ('FINISH', 'BUSY', 'FAILED')),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- A session may reuse a call id once the call has ended: only one open leg per id.
CREATE UNIQUE INDEX call_legs_open ON call_legs (session_id, call_id) WHERE ended_at IS NULL;
CREATE INDEX call_legs_session_call ON call_legs (session_id, call_id, created_at DESC);
-- A Call-ID comes from the far end and may be long: index its hash, not the text.
CREATE INDEX call_legs_sip_call_id ON call_legs (md5(sip_call_id)) WHERE sip_call_id IS NOT NULL;
CREATE INDEX call_legs_app_created ON call_legs (app_key, created_at);

COMMENT ON TABLE call_legs IS 'One row per call leg: a call as seen by one session (a call between two sessions of the bridge has two legs with the same sip_call_id). Kept by the trigger on committed CallStatusEvent and OnCallEvent rows, in the same transaction.';
COMMENT ON COLUMN call_legs.leg_id IS 'Surrogate key (a session may reuse a call id after the call ended).';
COMMENT ON COLUMN call_legs.session_id IS 'Session of the leg (sessions.session_id).';
COMMENT ON COLUMN call_legs.call_id IS 'callId of the events: chosen by the client or generated (outgoing), chosen by the bridge (incoming). At most one open leg per session and call id.';
COMMENT ON COLUMN call_legs.app_key IS 'Application owning the session.';
COMMENT ON COLUMN call_legs.node_id IS 'Bridge node that handles the call.';
COMMENT ON COLUMN call_legs.direction IS 'outgoing (the call method, or a transfer carried out) or incoming (INVITE received).';
COMMENT ON COLUMN call_legs.caller IS 'Caller URI (the session''s address for outgoing legs).';
COMMENT ON COLUMN call_legs.callee IS 'Callee URI as sent in the Request-URI (with inviteParameters) or the To URI of an incoming INVITE.';
COMMENT ON COLUMN call_legs.visible_name IS 'Display name: the From display name sent (outgoing) or received (incoming).';
COMMENT ON COLUMN call_legs.sip_call_id IS 'SIP Call-ID of the INVITE dialog; NULL until SIP reported it. Legs of one call share it.';
COMMENT ON COLUMN call_legs.has_video IS 'The call offered video (client flag or an m=video line with a port other than 0), from the latest event.';
COMMENT ON COLUMN call_legs.status IS 'Latest CallStatusEvent status: TRYING, RING, SESSION_PROGRESS, ESTABLISHED, HOLD, then BUSY, FAILED or FINISH.';
COMMENT ON COLUMN call_legs.sip_status IS 'SIP status of the latest event that carried one (final error, answer, ...); NULL until known.';
COMMENT ON COLUMN call_legs.info IS 'Text of the latest event that carried one (failure reason, who hung up, hold refused, ...).';
COMMENT ON COLUMN call_legs.transferred_from IS 'For a call the bridge placed to carry out a REFER: the call id of the referring call in the same session.';
COMMENT ON COLUMN call_legs.created_at IS 'Time of the event that opened the leg (TRYING or OnCallEvent).';
COMMENT ON COLUMN call_legs.ringing_at IS 'First RING or SESSION_PROGRESS (incoming legs: when the INVITE was announced).';
COMMENT ON COLUMN call_legs.established_at IS 'First ESTABLISHED: the call was answered.';
COMMENT ON COLUMN call_legs.ended_at IS 'When the leg ended (FINISH, BUSY or FAILED); NULL while it is alive.';
COMMENT ON COLUMN call_legs.final_status IS 'The status that ended the leg: FINISH (hung up either side, or cancelled), BUSY or FAILED; NULL while alive.';
COMMENT ON COLUMN call_legs.updated_at IS 'Time of the latest change to the row (database clock).';

-- Never raises for odd payloads: an error here would make the event writer refuse the event.
CREATE FUNCTION sipbridge_apply_call_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cid text := NEW.payload ->> 'callId';
  st text := CASE WHEN NEW.type = 'OnCallEvent' THEN 'RING' ELSE NEW.status END;
  sip integer;
  note text := NEW.payload ->> 'info';
  sipcid text := nullif(NEW.payload ->> 'sipCallId', '');
  video boolean;
  closing boolean;
BEGIN
  IF cid IS NULL OR cid = '' OR st NOT IN ('TRYING', 'RING', 'SESSION_PROGRESS', 'ESTABLISHED',
                                            'HOLD', 'BUSY', 'FAILED', 'FINISH') THEN
    RETURN NULL;
  END IF;
  IF (NEW.payload ->> 'sipStatus') ~ '^[0-9]{1,4}$' THEN
    sip := (NEW.payload ->> 'sipStatus')::integer;
  END IF;
  IF NEW.payload ->> 'hasVideo' IN ('true', 'false') THEN
    video := (NEW.payload ->> 'hasVideo')::boolean;
  END IF;
  closing := st IN ('FINISH', 'BUSY', 'FAILED');
  IF NEW.type = 'OnCallEvent' OR st = 'TRYING' THEN
    INSERT INTO call_legs (session_id, call_id, app_key, node_id, direction, caller, callee,
                           visible_name, sip_call_id, has_video, status, transferred_from,
                           created_at, ringing_at)
    VALUES (NEW.session_id, cid, NEW.app_key, NEW.node_id,
            CASE WHEN NEW.type = 'OnCallEvent' OR NEW.payload ->> 'incoming' = 'true'
                 THEN 'incoming' ELSE 'outgoing' END,
            coalesce(NEW.payload ->> 'caller', ''), coalesce(NEW.payload ->> 'callee', ''),
            coalesce(NEW.payload ->> 'visibleName', ''), sipcid, coalesce(video, false), st,
            nullif(NEW.payload ->> 'transferredFrom', ''), NEW.created_at,
            CASE WHEN st = 'RING' THEN NEW.created_at END)
    ON CONFLICT DO NOTHING;  -- a repeated opening event changes nothing
    RETURN NULL;
  END IF;
  UPDATE call_legs l SET
    status = st,
    sip_status = coalesce(sip, l.sip_status),
    info = coalesce(note, l.info),
    sip_call_id = coalesce(sipcid, l.sip_call_id),
    has_video = coalesce(video, l.has_video),
    ringing_at = CASE WHEN st IN ('RING', 'SESSION_PROGRESS')
                      THEN coalesce(l.ringing_at, NEW.created_at) ELSE l.ringing_at END,
    established_at = CASE WHEN st = 'ESTABLISHED'
                          THEN coalesce(l.established_at, NEW.created_at)
                          ELSE l.established_at END,
    ended_at = CASE WHEN closing THEN NEW.created_at ELSE NULL END,
    final_status = CASE WHEN closing THEN st END,
    updated_at = now()
  WHERE l.session_id = NEW.session_id AND l.call_id = cid AND l.ended_at IS NULL;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION sipbridge_apply_call_event() IS 'AFTER INSERT trigger on events: OnCallEvent and CallStatusEvent TRYING open a leg in call_legs (payload callId, caller, callee, visibleName, hasVideo, incoming, sipCallId, transferredFrom); other CallStatusEvents update the open leg of their callId (sipStatus, info, sipCallId, hasVideo) and FINISH, BUSY, FAILED close it. Events of unknown statuses or without callId change nothing.';

CREATE TRIGGER events_apply_call_status
  AFTER INSERT ON events
  FOR EACH ROW WHEN (NEW.type IN ('CallStatusEvent', 'OnCallEvent'))
  EXECUTE FUNCTION sipbridge_apply_call_event();
COMMENT ON TRIGGER events_apply_call_status ON events IS 'Keeps call_legs in step with the committed CallStatusEvent and OnCallEvent rows (same transaction).';

-- One row per call. Legs are grouped by SIP Call-ID; a leg whose Call-ID is not known (a
-- call that never reached SIP) is a call of its own. Far ends may reuse a Call-ID for later
-- calls (some tools number them per process), so a leg starts a new call when the previous
-- leg with that Call-ID was opened more than a minute before it (legs of one call open within
-- milliseconds of each other).
CREATE VIEW calls AS
SELECT call_key,
       (array_agg(app_key ORDER BY created_at, leg_id))[1] AS app_key,
       (array_agg(caller ORDER BY created_at, leg_id))[1] AS caller,
       (array_agg(callee ORDER BY created_at, leg_id))[1] AS callee,
       bool_or(has_video) AS has_video,
       count(*) AS leg_count,
       jsonb_agg(jsonb_build_object(
                   'sessionId', session_id, 'callId', call_id, 'appKey', app_key,
                   'direction', direction, 'status', status, 'finalStatus', final_status,
                   'sipStatus', sip_status, 'info', info, 'createdAt', created_at,
                   'ringingAt', ringing_at, 'establishedAt', established_at,
                   'endedAt', ended_at, 'transferredFrom', transferred_from)
                 ORDER BY created_at, leg_id) AS legs,
       min(created_at) AS started_at,
       min(established_at) AS answered_at,
       CASE WHEN bool_and(ended_at IS NOT NULL) THEN max(ended_at) END AS ended_at,
       CASE WHEN bool_and(ended_at IS NOT NULL) AND min(established_at) IS NOT NULL
            THEN extract(epoch FROM max(ended_at) - min(established_at))::double precision
       END AS duration_seconds,
       CASE WHEN bool_or(ended_at IS NULL) THEN 'in_progress'
            WHEN min(established_at) IS NOT NULL THEN 'answered'
            WHEN bool_or(final_status = 'BUSY') THEN 'busy'
            WHEN bool_or(final_status = 'FAILED') THEN 'failed'
            ELSE 'cancelled' END AS outcome
FROM (SELECT k.*,
             k.call_id_key || '#' || sum(k.starts_call) OVER (PARTITION BY k.call_id_key
                                                              ORDER BY k.created_at, k.leg_id)
               AS call_key
      FROM (SELECT l.*, coalesce(l.sip_call_id, 'leg:' || l.leg_id) AS call_id_key,
                   CASE WHEN l.created_at - lag(l.created_at) OVER (
                               PARTITION BY coalesce(l.sip_call_id, 'leg:' || l.leg_id)
                               ORDER BY l.created_at, l.leg_id) <= interval '1 minute'
                        THEN 0 ELSE 1 END AS starts_call
            FROM call_legs l) k) g
GROUP BY call_key;
COMMENT ON VIEW calls IS 'One row per call: its legs (one per session of the bridge taking part) grouped by SIP Call-ID, with start, answer and end times, duration and outcome.';
COMMENT ON COLUMN calls.call_key IS 'The SIP Call-ID shared by the legs (or leg:<leg_id> for a leg that never got one), then # and the number of the call among those with that Call-ID.';
COMMENT ON COLUMN calls.app_key IS 'Application of the first leg (the caller''s when both ends are sessions of the bridge).';
COMMENT ON COLUMN calls.caller IS 'Caller URI of the first leg.';
COMMENT ON COLUMN calls.callee IS 'Callee URI of the first leg.';
COMMENT ON COLUMN calls.has_video IS 'Any leg offered video.';
COMMENT ON COLUMN calls.leg_count IS 'Number of legs (2 for a call between two sessions of the bridge).';
COMMENT ON COLUMN calls.legs IS 'The legs as a JSON array in creation order: sessionId, callId, appKey, direction, status, finalStatus, sipStatus, info, createdAt, ringingAt, establishedAt, endedAt, transferredFrom.';
COMMENT ON COLUMN calls.started_at IS 'When the first leg was opened.';
COMMENT ON COLUMN calls.answered_at IS 'First ESTABLISHED of any leg; NULL if never answered.';
COMMENT ON COLUMN calls.ended_at IS 'When the last leg ended; NULL while any leg is alive.';
COMMENT ON COLUMN calls.duration_seconds IS 'ended_at - answered_at in seconds; NULL for unanswered or unfinished calls.';
COMMENT ON COLUMN calls.outcome IS 'in_progress (a leg is alive), answered, busy (a leg ended BUSY), failed (a leg ended FAILED) or cancelled (ended before an answer by either side''s hangup).';

CREATE VIEW call_outcomes_daily AS
SELECT app_key,
       (started_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS calls,
       count(*) FILTER (WHERE outcome = 'answered') AS answered,
       count(*) FILTER (WHERE outcome = 'busy') AS busy,
       count(*) FILTER (WHERE outcome = 'failed') AS failed,
       count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE outcome = 'in_progress') AS in_progress,
       round(avg(duration_seconds)::numeric, 3) AS average_duration_seconds
FROM calls
GROUP BY app_key, (started_at AT TIME ZONE 'UTC')::date;
COMMENT ON VIEW call_outcomes_daily IS 'Calls per application (of the first leg) and UTC day of started_at, by outcome, with the average duration of the answered and finished ones.';
COMMENT ON COLUMN call_outcomes_daily.app_key IS 'Application of the first leg of the calls.';
COMMENT ON COLUMN call_outcomes_daily.day IS 'UTC day of started_at.';
COMMENT ON COLUMN call_outcomes_daily.calls IS 'Calls started that day.';
COMMENT ON COLUMN call_outcomes_daily.answered IS 'Calls answered (ESTABLISHED on some leg) and finished.';
COMMENT ON COLUMN call_outcomes_daily.busy IS 'Calls refused busy (486 or 600).';
COMMENT ON COLUMN call_outcomes_daily.failed IS 'Calls refused with another final error, or unanswered in time (408).';
COMMENT ON COLUMN call_outcomes_daily.cancelled IS 'Calls ended before an answer by a hangup (CANCEL, reject, session end).';
COMMENT ON COLUMN call_outcomes_daily.in_progress IS 'Calls with a leg still alive.';
COMMENT ON COLUMN call_outcomes_daily.average_duration_seconds IS 'Average of duration_seconds (answer to end) over the answered, finished calls; NULL when there is none.';
