-- Instant messages: one row per message with its current status and the time of each
-- transition, for reporting with plain SQL (see the views at the end).
--
-- Rows are written in two ways only:
--   * store::PgMessageStore inserts an outgoing message as QUEUED before it reaches SIP;
--   * the trigger sipbridge_apply_message_event applies every committed MessageStatusEvent
--     to its message in the transaction that commits the event (so the table never lags
--     behind the events), and creates the row of an incoming message on RECEIVED.

ALTER TABLE apps ADD COLUMN imdn_mode text NOT NULL DEFAULT 'automatic'
  CHECK (imdn_mode IN ('automatic', 'manual', 'never'));
COMMENT ON COLUMN apps.imdn_mode IS 'When an incoming message asking for it gets an IMDN "delivered": automatic (once the message is committed), manual (only on sendIMDN) or never.';

CREATE TABLE messages (
  session_id        text NOT NULL,
  message_id        text NOT NULL,
  direction         text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  app_key           text NOT NULL,
  node_id           text NOT NULL,
  peer              text NOT NULL DEFAULT '',
  content_type      text NOT NULL DEFAULT '',
  imdn_message_ids  text[] NOT NULL DEFAULT '{}',
  imdn_requested    boolean NOT NULL DEFAULT false,
  status            text NOT NULL CHECK (status IN ('QUEUED', 'ACCEPTED', 'FAILED', 'RECEIVED',
                                                    'IMDN_DELIVERED', 'IMDN_FAILED',
                                                    'IMDN_NOTIFICATION_SENT')),
  sip_status        integer,
  info              text NOT NULL DEFAULT '',
  queued_at         timestamptz,
  accepted_at       timestamptz,
  failed_at         timestamptz,
  received_at       timestamptz,
  imdn_delivered_at timestamptz,
  imdn_failed_at    timestamptz,
  imdn_sent_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  -- The direction is part of the key: an id chosen by a peer may equal one the client chose.
  PRIMARY KEY (session_id, message_id, direction)
);
CREATE INDEX messages_app_queued ON messages (app_key, queued_at);
CREATE INDEX messages_app_received ON messages (app_key, received_at) WHERE direction = 'incoming';
CREATE INDEX messages_node_queued ON messages (node_id) WHERE status = 'QUEUED';
CREATE INDEX messages_imdn_ids ON messages USING gin (imdn_message_ids);

COMMENT ON TABLE messages IS 'One row per instant message (outgoing or incoming) with its current status and the time of each transition. Status changes come from the committed MessageStatusEvent rows (trigger on events), in the same transaction.';
COMMENT ON COLUMN messages.session_id IS 'Session that sent or received the message (sessions.session_id).';
COMMENT ON COLUMN messages.message_id IS 'Message id: the client''s id (unique per session) or a generated one for outgoing messages; the id of the OnMessageEvent for incoming ones. The id field of its MessageStatusEvents.';
COMMENT ON COLUMN messages.direction IS 'outgoing (sendMessage) or incoming (received from SIP).';
COMMENT ON COLUMN messages.app_key IS 'Application owning the session.';
COMMENT ON COLUMN messages.node_id IS 'Bridge node that handles the message.';
COMMENT ON COLUMN messages.peer IS 'Target URI (outgoing; for multipart/mixed the SIP server''s distribution target) or sender URI (incoming).';
COMMENT ON COLUMN messages.content_type IS 'text/plain, message/cpim or multipart/mixed.';
COMMENT ON COLUMN messages.imdn_message_ids IS 'CPIM imdn.Message-IDs sent with the message (one per recipient for multipart/mixed); incoming IMDNs are matched against them.';
COMMENT ON COLUMN messages.imdn_requested IS 'Outgoing: a delivery notification was asked for (isImdnRequired). Incoming: the sender asked for one.';
COMMENT ON COLUMN messages.status IS 'Current status: QUEUED, ACCEPTED, FAILED, IMDN_DELIVERED, IMDN_FAILED (outgoing); RECEIVED, IMDN_NOTIFICATION_SENT (incoming). An IMDN status is never replaced by a late ACCEPTED or FAILED.';
COMMENT ON COLUMN messages.sip_status IS 'SIP status of the answer to the MESSAGE (from the event''s sipStatus); NULL until known.';
COMMENT ON COLUMN messages.info IS 'Text of the latest event that carried one (failure reason, fallback to text/plain, ...).';
COMMENT ON COLUMN messages.queued_at IS 'When sendMessage accepted the message (outgoing); NULL for incoming.';
COMMENT ON COLUMN messages.accepted_at IS 'First ACCEPTED: the SIP server answered 2xx.';
COMMENT ON COLUMN messages.failed_at IS 'First FAILED: refused by SIP (4xx-6xx) or no answer.';
COMMENT ON COLUMN messages.received_at IS 'RECEIVED: when the incoming message was committed.';
COMMENT ON COLUMN messages.imdn_delivered_at IS 'First IMDN delivered notification from the recipient (multipart/mixed: from the first recipient).';
COMMENT ON COLUMN messages.imdn_failed_at IS 'First IMDN failed/forbidden/error notification.';
COMMENT ON COLUMN messages.imdn_sent_at IS 'Incoming: when this bridge sent the IMDN delivered notification (IMDN_NOTIFICATION_SENT).';
COMMENT ON COLUMN messages.updated_at IS 'Time of the latest change to the row (database clock).';

-- Which statuses win: 0 queued, 1 SIP outcome or reception, 2 IMDN. A status replaces the
-- current one only if its rank is not lower, so a late ACCEPTED keeps IMDN_DELIVERED.
CREATE FUNCTION sipbridge_message_status_rank(status text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status
    WHEN 'QUEUED' THEN 0
    WHEN 'ACCEPTED' THEN 1 WHEN 'FAILED' THEN 1 WHEN 'RECEIVED' THEN 1
    WHEN 'IMDN_DELIVERED' THEN 2 WHEN 'IMDN_FAILED' THEN 2 WHEN 'IMDN_NOTIFICATION_SENT' THEN 2
    ELSE -1 END
$$;
COMMENT ON FUNCTION sipbridge_message_status_rank(text) IS 'Order of message statuses: a status of lower rank never replaces one of higher rank.';

-- Never raises for odd payloads: an error here would make the event writer refuse the event.
CREATE FUNCTION sipbridge_apply_message_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  msg_id text := NEW.payload ->> 'id';
  sip integer;
  note text := NEW.payload ->> 'info';
  dir text;
BEGIN
  IF msg_id IS NULL OR msg_id = '' OR sipbridge_message_status_rank(NEW.status) < 1 THEN
    RETURN NULL;
  END IF;
  IF (NEW.payload ->> 'sipStatus') ~ '^[0-9]{1,4}$' THEN
    sip := (NEW.payload ->> 'sipStatus')::integer;
  END IF;
  dir := CASE WHEN NEW.status IN ('RECEIVED', 'IMDN_NOTIFICATION_SENT') THEN 'incoming'
              ELSE 'outgoing' END;
  IF NEW.status = 'RECEIVED' THEN
    INSERT INTO messages (session_id, message_id, direction, app_key, node_id, peer, content_type,
                          imdn_requested, status, info, received_at)
    VALUES (NEW.session_id, msg_id, 'incoming', NEW.app_key, NEW.node_id,
            coalesce(NEW.payload ->> 'from', ''), coalesce(NEW.payload ->> 'contentType', ''),
            coalesce(NEW.payload ->> 'isImdnRequired', '') IN ('true', 't', '1'),
            'RECEIVED', coalesce(note, ''), NEW.created_at)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  UPDATE messages m SET
    status = CASE WHEN sipbridge_message_status_rank(NEW.status)
                       >= sipbridge_message_status_rank(m.status)
                  THEN NEW.status ELSE m.status END,
    sip_status = coalesce(sip, m.sip_status),
    info = coalesce(note, m.info),
    accepted_at = CASE WHEN NEW.status = 'ACCEPTED'
                       THEN coalesce(m.accepted_at, NEW.created_at) ELSE m.accepted_at END,
    failed_at = CASE WHEN NEW.status = 'FAILED'
                     THEN coalesce(m.failed_at, NEW.created_at) ELSE m.failed_at END,
    received_at = CASE WHEN NEW.status = 'RECEIVED'
                       THEN coalesce(m.received_at, NEW.created_at) ELSE m.received_at END,
    imdn_delivered_at = CASE WHEN NEW.status = 'IMDN_DELIVERED'
                             THEN coalesce(m.imdn_delivered_at, NEW.created_at)
                             ELSE m.imdn_delivered_at END,
    imdn_failed_at = CASE WHEN NEW.status = 'IMDN_FAILED'
                          THEN coalesce(m.imdn_failed_at, NEW.created_at)
                          ELSE m.imdn_failed_at END,
    imdn_sent_at = CASE WHEN NEW.status = 'IMDN_NOTIFICATION_SENT'
                        THEN coalesce(m.imdn_sent_at, NEW.created_at) ELSE m.imdn_sent_at END,
    updated_at = now()
  WHERE m.session_id = NEW.session_id AND m.message_id = msg_id AND m.direction = dir;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION sipbridge_apply_message_event() IS 'AFTER INSERT trigger on events: applies a MessageStatusEvent (payload id, sipStatus, info) to its row in messages; RECEIVED creates the incoming message (payload from, contentType, isImdnRequired).';

-- A row trigger on the partitioned parent is cloned onto every partition, including the
-- ones sipbridge_ensure_event_partition attaches later.
CREATE TRIGGER events_apply_message_status
  AFTER INSERT ON events
  FOR EACH ROW WHEN (NEW.type = 'MessageStatusEvent')
  EXECUTE FUNCTION sipbridge_apply_message_event();
COMMENT ON TRIGGER events_apply_message_status ON events IS 'Keeps messages in step with the committed MessageStatusEvents (same transaction).';

-- Reporting. Days are UTC days of queued_at (outgoing) or received_at (incoming).
CREATE VIEW message_delivery_daily AS
SELECT app_key,
       day,
       count(*) FILTER (WHERE direction = 'outgoing') AS sent,
       count(*) FILTER (WHERE direction = 'outgoing' AND status = 'QUEUED') AS pending,
       count(accepted_at) AS accepted,
       count(failed_at) FILTER (WHERE accepted_at IS NULL) AS failed,
       count(*) FILTER (WHERE direction = 'outgoing' AND imdn_requested) AS imdn_requested,
       count(imdn_delivered_at) FILTER (WHERE direction = 'outgoing') AS imdn_delivered,
       count(imdn_failed_at) FILTER (WHERE direction = 'outgoing' AND imdn_delivered_at IS NULL)
         AS imdn_failed,
       count(*) FILTER (WHERE direction = 'incoming') AS received,
       round(count(accepted_at)::numeric
             / nullif(count(*) FILTER (WHERE direction = 'outgoing'), 0), 4) AS acceptance_rate,
       round((count(imdn_delivered_at) FILTER (WHERE direction = 'outgoing'))::numeric
             / nullif(count(*) FILTER (WHERE direction = 'outgoing' AND imdn_requested), 0), 4)
         AS delivery_rate
FROM (SELECT m.*, (coalesce(m.queued_at, m.received_at) AT TIME ZONE 'UTC')::date AS day
      FROM messages m) d
GROUP BY app_key, day;
COMMENT ON VIEW message_delivery_daily IS 'Messages per application and UTC day: outgoing sent/pending/accepted/failed, IMDN requested/delivered/failed, incoming received; acceptance_rate = accepted / sent, delivery_rate = imdn_delivered / imdn_requested (NULL when the divisor is 0).';
COMMENT ON COLUMN message_delivery_daily.day IS 'UTC day of queued_at (outgoing) or received_at (incoming).';
COMMENT ON COLUMN message_delivery_daily.sent IS 'Outgoing messages queued that day.';
COMMENT ON COLUMN message_delivery_daily.pending IS 'Outgoing messages still QUEUED (no SIP answer yet).';
COMMENT ON COLUMN message_delivery_daily.accepted IS 'Outgoing messages answered 2xx by SIP.';
COMMENT ON COLUMN message_delivery_daily.failed IS 'Outgoing messages refused by SIP or unanswered (never accepted).';
COMMENT ON COLUMN message_delivery_daily.imdn_requested IS 'Outgoing messages sent with isImdnRequired.';
COMMENT ON COLUMN message_delivery_daily.imdn_delivered IS 'Outgoing messages with an IMDN delivered notification.';
COMMENT ON COLUMN message_delivery_daily.imdn_failed IS 'Outgoing messages with an IMDN failure notification and none delivered.';
COMMENT ON COLUMN message_delivery_daily.received IS 'Incoming messages received that day.';
COMMENT ON COLUMN message_delivery_daily.acceptance_rate IS 'accepted / sent, 0..1 with 4 decimals; NULL without outgoing messages.';
COMMENT ON COLUMN message_delivery_daily.delivery_rate IS 'imdn_delivered / imdn_requested, 0..1 with 4 decimals; NULL when no IMDN was requested.';

CREATE VIEW message_latency AS
SELECT session_id,
       message_id,
       app_key,
       node_id,
       content_type,
       status,
       (queued_at AT TIME ZONE 'UTC')::date AS day,
       queued_at,
       accepted_at - queued_at AS accept_latency,
       imdn_delivered_at - queued_at AS delivery_latency,
       extract(epoch FROM accepted_at - queued_at)::double precision * 1000 AS accept_latency_ms,
       extract(epoch FROM imdn_delivered_at - queued_at)::double precision * 1000
         AS delivery_latency_ms
FROM messages
WHERE direction = 'outgoing' AND queued_at IS NOT NULL;
COMMENT ON VIEW message_latency IS 'Outgoing messages with their latencies, e.g. SELECT app_key, percentile_cont(0.99) WITHIN GROUP (ORDER BY accept_latency_ms) FROM message_latency WHERE day = current_date GROUP BY app_key (NULL latencies are ignored by the aggregate).';
COMMENT ON COLUMN message_latency.day IS 'UTC day of queued_at.';
COMMENT ON COLUMN message_latency.accept_latency IS 'accepted_at - queued_at: sendMessage to the 2xx answer; NULL if not accepted.';
COMMENT ON COLUMN message_latency.delivery_latency IS 'imdn_delivered_at - queued_at: sendMessage to the first IMDN delivered; NULL if none.';
COMMENT ON COLUMN message_latency.accept_latency_ms IS 'accept_latency in milliseconds (double precision, for percentile_cont).';
COMMENT ON COLUMN message_latency.delivery_latency_ms IS 'delivery_latency in milliseconds (double precision, for percentile_cont).';
