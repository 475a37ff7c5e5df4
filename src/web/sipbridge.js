// sipbridge.js: the JavaScript client of sipbridge, one ES module without dependencies.
// Served by the bridge at /sdk/sipbridge.js; described in the README ("JavaScript client").
//
//   import { SipBridgeClient } from '/sdk/sipbridge.js';
//   const client = await SipBridgeClient.connect({ appKey: 'demo', sipRegisterRequired: true,
//     sipLogin: 'alice', sipPassword: 'alice-secret', sipDomain: 'example.test' }, {
//     handlers: { OnMessageEvent: (e) => console.log(e.from, e.body) } });
//   await client.sendMessage({ to: 'bob', body: 'hello' });
//
// Events arrive over a WebSocket (the token offered as the subprotocol `token.<authToken>` beside
// `sipbridge`, never in the URL); when it closes the client reconnects with backoff and resumes
// after the last seq it delivered, and when no WebSocket can be opened it long-polls instead.
// Each event reaches the handlers once, in seq order. Methods are POSTed and return promises
// that reject with a SipBridgeError carrying the bridge's JSON error.

/** The event types of the bridge; each is also the name of a handler. */
export const EVENT_TYPES = Object.freeze([
  'ConnectionStatusEvent', 'RegistrationStatusEvent', 'MessageStatusEvent', 'OnMessageEvent',
  'SubscriptionStatusEvent', 'XcapStatusEvent', 'PublishStatusEvent', 'OnCallEvent',
  'CallStatusEvent', 'TransferStatusEvent', 'OnDataEvent', 'DataStatusEvent', 'ErrorEvent',
]);

/** The client methods (POST /api/v1/{method}); each is a method of SipBridgeClient. */
export const METHODS = Object.freeze([
  'disconnect', 'sendMessage', 'sendIMDN', 'subscribe', 'publish', 'sendXcapRequest', 'call',
  'answer', 'hangup', 'hold', 'unhold', 'transfer', 'sendDTMF', 'sendData',
]);

/** A refused or failed call: the HTTP status (0 when there was no answer) and the JSON error. */
export class SipBridgeError extends Error {
  constructor(status, body, retryAfter) {
    const error = (body && body.error) || {};
    super(error.message || (status ? `HTTP ${status}` : 'no answer from the bridge'));
    this.name = 'SipBridgeError';
    this.status = status;
    this.code = error.code || (status ? `http_${status}` : 'network_error');
    this.field = error.field;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

const OPEN = 1;  // WebSocket.OPEN
const ENDING_STATUSES = new Set(['DISCONNECTED', 'FAILED']);

/**
 * One session of the bridge, seen from a browser (or any runtime with fetch and WebSocket).
 *
 * Options: url (the bridge, default the page's origin); sessionId, authToken and lastSeq to
 * resume a session; transport ('auto' default, 'websocket' or 'longpoll'); minRetryMs (500) and
 * maxRetryMs (15000) for the reconnection backoff; longPollSeconds (25); webSocketRetryMs (60000):
 * how long to long-poll before trying a WebSocket again; handlers: {EventType(event), event(event),
 * transport(status), error(error)}; fetch and WebSocket to use other implementations.
 *
 * Handlers: one per event type, named after it; `event` gets every event; `transport` gets
 * {state: 'connecting' | 'websocket' | 'longpoll' | 'reconnecting' | 'closed' | 'ended', retryInMs};
 * `error` gets what the client cannot recover from (the token refused) and exceptions thrown by
 * handlers.
 */
export class SipBridgeClient {
  constructor(options = {}) {
    const origin = globalThis.location ? globalThis.location.origin : '';
    this.url = String(options.url || origin).replace(/\/+$/, '');
    this.sessionId = options.sessionId || null;
    this.authToken = options.authToken || null;
    /** The seq of the last event delivered to the handlers. */
    this.lastSeq = Number(options.lastSeq) || 0;
    this.transport = 'closed';
    this._mode = options.transport === 'longpoll' ? 'longpoll' : 'websocket';
    this._allowWebSocket = options.transport !== 'longpoll';
    this._allowLongPoll = options.transport !== 'websocket';
    this._minRetryMs = options.minRetryMs ?? 500;
    this._maxRetryMs = options.maxRetryMs ?? 15000;
    this._longPollSeconds = options.longPollSeconds ?? 25;
    this._webSocketRetryMs = options.webSocketRetryMs ?? 60000;
    this._fetch = options.fetch || globalThis.fetch.bind(globalThis);
    this._WebSocket = options.WebSocket || globalThis.WebSocket;
    this._handlers = new Map();
    for (const [name, handler] of Object.entries(options.handlers || {})) this.on(name, handler);
    this._running = false;
    this._ended = false;
    this._attempts = 0;
    this._socketFailures = 0;
    this._socket = null;
    this._timer = null;
    this._abort = null;
    this._gapAt = -1;
    this._onOnline = () => this._retryNow();
  }

  /** Connects (POST /api/v1/connect with the reference connect fields) and starts the events. */
  static async connect(fields, options = {}) {
    const client = new SipBridgeClient(options);
    await client.connect(fields);
    return client;
  }

  /**
   * Creates the session and starts receiving its events from the first one. Resolves with the
   * connect answer ({sessionId, authToken, nodeId, status}); a refusal rejects (403: the
   * application's hook refused, the body has status FAILED and info).
   */
  async connect(fields) {
    const answer = await this._request('POST', '/api/v1/connect', fields || {}, false);
    this.sessionId = answer.sessionId;
    this.authToken = answer.authToken;
    this.lastSeq = 0;
    this._ended = false;
    this.start();
    return answer;
  }

  /** Adds a handler (an event type, 'event', 'transport' or 'error'); returns its remover. */
  on(name, handler) {
    if (!this._handlers.has(name)) this._handlers.set(name, new Set());
    this._handlers.get(name).add(handler);
    return () => this.off(name, handler);
  }

  off(name, handler) {
    const set = this._handlers.get(name);
    if (set) set.delete(handler);
  }

  /** Starts (or resumes, after lastSeq) receiving the session's events. */
  start() {
    if (this._running || this._ended) return;
    if (!this.authToken) throw new Error('no session: connect first or pass authToken');
    this._running = true;
    this._attempts = 0;
    this._socketFailures = 0;
    if (globalThis.addEventListener) globalThis.addEventListener('online', this._onOnline);
    this._setTransport('connecting');
    this._next();
  }

  /** Stops receiving events. The session goes on (disconnect() ends it). */
  close() {
    this._stop('closed');
  }

  /** Calls a method (POST /api/v1/{method}); resolves with its answer (202 body). */
  invoke(method, fields = {}) {
    if (!this.authToken) return Promise.reject(new Error('no session: connect first'));
    return this._request('POST', `/api/v1/${encodeURIComponent(method)}`, fields, true);
  }

  // --- transports ---

  _next() {
    if (!this._running) return;
    const socketUsable = this._allowWebSocket && typeof this._WebSocket === 'function';
    if (this._mode === 'websocket' && socketUsable) this._openSocket();
    else if (this._allowLongPoll) this._poll();
    else this._retryLater();
  }

  _openSocket() {
    const base = this.url ? this.url.replace(/^http/, 'ws') : '';
    // The token travels as a subprotocol, so it stays out of the URL (and of access logs).
    const protocols = ['sipbridge', `token.${this.authToken}`];
    let socket;
    try {
      socket = new this._WebSocket(`${base}/api/v1/ws?after=${this.lastSeq}`, protocols);
    } catch (e) {
      this._socketFailed();
      return;
    }
    let opened = false;
    this._socket = socket;
    socket.onopen = () => {
      opened = true;
      this._attempts = 0;
      this._socketFailures = 0;
      this._setTransport('websocket');
    };
    socket.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (event && !('replyTo' in event) && !this._receive(event)) socket.close(1000, 'resync');
    };
    socket.onclose = (closed) => {
      if (this._socket !== socket) return;
      this._socket = null;
      if (!this._running) return;
      if (this._ended || (closed.code === 1000 && closed.reason === 'session ended')) {
        this._stop('ended');
      } else if (!opened) {
        this._socketFailed();
      } else {
        this._retryLater();
      }
    };
  }

  /** The WebSocket could not be opened: retry it once, then long-poll for a while. */
  _socketFailed() {
    this._socketFailures += 1;
    if (this._allowLongPoll && this._socketFailures >= 2) {
      this._mode = 'longpoll';
      this._pollUntil = Date.now() + this._webSocketRetryMs;
      this._next();
    } else {
      this._retryLater();
    }
  }

  async _poll() {
    this._abort = typeof AbortController === 'function' ? new AbortController() : null;
    const started = Date.now();
    let answer;
    try {
      answer = await this._request(
        'GET', `/api/v1/events?after=${this.lastSeq}&wait=${this._longPollSeconds}`, undefined, true,
        this._abort && this._abort.signal);
    } catch (error) {
      if (!this._running) return;
      if (error.status === 401) {
        this._emit('error', error);
        this._stop('closed');
      } else {
        this._retryLater();
      }
      return;
    }
    if (!this._running) return;
    this._attempts = 0;
    this._setTransport('longpoll');
    for (const event of answer.events || []) if (!this._receive(event)) break;
    if (this._ended) {
      this._stop('ended');
      return;
    }
    if (this._allowWebSocket && this._pollUntil && Date.now() >= this._pollUntil) {
      this._mode = 'websocket';
      this._socketFailures = 0;
    }
    // An empty answer that came early (an ended session read to its end): do not spin.
    const quiet = (answer.events || []).length === 0 && Date.now() - started < 1000;
    if (quiet) this._timer = setTimeout(() => this._next(), 1000);
    else this._next();
  }

  _retryLater() {
    if (!this._running) return;
    const ceiling = Math.min(this._maxRetryMs, this._minRetryMs * 2 ** this._attempts);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this._attempts += 1;
    this._setTransport('reconnecting', delay);
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._next(), delay);
  }

  /** The network is back: stop waiting out the backoff. */
  _retryNow() {
    if (!this._running || this.transport !== 'reconnecting') return;
    clearTimeout(this._timer);
    this._attempts = 0;
    this._next();
  }

  _stop(state) {
    const wasRunning = this._running;
    this._running = false;
    if (state === 'ended') this._ended = true;
    clearTimeout(this._timer);
    if (this._abort) this._abort.abort();
    if (this._socket) {
      const socket = this._socket;
      this._socket = null;
      socket.close(1000, 'client closed');
    }
    if (globalThis.removeEventListener) globalThis.removeEventListener('online', this._onOnline);
    if (wasRunning || state === 'ended') this._setTransport(state);
  }

  _setTransport(state, retryInMs) {
    this.transport = state;
    this._emit('transport', retryInMs === undefined ? { state } : { state, retryInMs });
  }

  // --- events ---

  /**
   * Delivers an event unless it was delivered already; false on a gap (the transport then
   * resumes from lastSeq; a gap seen twice at the same place is accepted as such).
   */
  _receive(event) {
    if (typeof event.seq !== 'number' || event.seq <= this.lastSeq) return true;
    if (event.seq !== this.lastSeq + 1 && this._gapAt !== this.lastSeq) {
      this._gapAt = this.lastSeq;
      return false;
    }
    this.lastSeq = event.seq;
    if (event.type === 'ConnectionStatusEvent' && ENDING_STATUSES.has(event.status)) {
      this._ended = true;
    }
    this._emit(event.type, event);
    this._emit('event', event);
    return true;
  }

  _emit(name, value) {
    const set = this._handlers.get(name);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler.call(this, value);
      } catch (e) {
        if (name === 'error') console.error(e);
        else this._emit('error', e);
      }
    }
  }

  // --- HTTP ---

  async _request(method, path, fields, authorized, signal) {
    const headers = {};
    if (fields !== undefined) headers['Content-Type'] = 'application/json';
    if (authorized) headers.Authorization = `Bearer ${this.authToken}`;
    let response;
    try {
      response = await this._fetch(this.url + path, {
        method, headers, signal, cache: 'no-store',
        body: fields === undefined ? undefined : JSON.stringify(fields),
      });
    } catch (e) {
      throw new SipBridgeError(0, { error: { code: 'network_error', message: String(e.message || e) } });
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('Retry-After')) || undefined;
      throw new SipBridgeError(response.status, body, retryAfter);
    }
    return body;
  }
}

for (const method of METHODS) {
  SipBridgeClient.prototype[method] = function call(fields) {
    return this.invoke(method, fields);
  };
}
