// The demo chat page served at /demo/: sign in as a demo user, see the other demo users'
// presence, chat one to one with delivery ticks. Everything shown is rebuilt from the session's
// events; the page keeps only its session (token, last seq) and the texts it sent in
// sessionStorage, so a reload or a network drop resumes the same session and loses nothing.
import { SipBridgeClient } from '/sdk/sipbridge.js';

const DOMAIN = 'example.test';
const USERS = ['alice', 'bob', 'carol', 'dave'];
const STORAGE_KEY = 'sipbridge-demo';
/** Outgoing statuses by rank: a later event never moves a message back. */
const RANK = { SENDING: 0, QUEUED: 1, ACCEPTED: 2, IMDN_DELIVERED: 3, FAILED: 4, IMDN_FAILED: 4 };
const STATUS_TEXT = {
  SENDING: 'sending', QUEUED: 'sent', ACCEPTED: 'accepted by the server',
  IMDN_DELIVERED: 'delivered', FAILED: 'not delivered', IMDN_FAILED: 'delivery failed',
};
const CONNECTION_TEXT = {
  connecting: 'Connecting…', websocket: 'Online', longpoll: 'Online (long-poll)',
  reconnecting: 'Reconnecting…', closed: 'Offline', ended: 'Signed out',
};

const $ = (id) => document.getElementById(id);

/** What the page keeps across reloads (this tab only). */
let saved = null;
let client = null;
/** The view, rebuilt from events: contacts' presence, conversations, unread counts. */
let view = null;
let retryTimer = null;
let renderQueued = false;

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY));
  } catch (e) {
    return null;
  }
}

function persist() {
  if (saved) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  else sessionStorage.removeItem(STORAGE_KEY);
}

function freshView(login) {
  const contacts = new Map();
  for (const user of USERS) if (user !== login) contacts.set(user, { presence: 'unknown', note: '' });
  return { login, contacts, messages: new Map(), unread: new Map(), connection: 'connecting' };
}

function userOf(uri) {
  const match = /^(?:sips?:)?([^@;>]+)@/.exec(String(uri || '').replace(/^.*</, ''));
  return match ? decodeURIComponent(match[1]) : String(uri || '');
}

function title(login) {
  return login.charAt(0).toUpperCase() + login.slice(1);
}

// --- events ---

/** Applies one event to the view. `fresh`: not seen before this page load (side effects). */
function apply(event, fresh) {
  switch (event.type) {
    case 'ConnectionStatusEvent':
      if (event.status === 'ESTABLISHED' && fresh) onEstablished();
      if (event.status === 'FAILED' || event.status === 'DISCONNECTED') onEnded(event);
      break;
    case 'RegistrationStatusEvent':
      if (event.status === 'FAILED') showProblem(`SIP registration failed: ${event.info || ''}`);
      break;
    case 'SubscriptionStatusEvent':
      if (event.event === 'presence') onPresence(event);
      break;
    case 'OnMessageEvent':
      onIncoming(event, fresh);
      break;
    case 'MessageStatusEvent':
      onStatus(event);
      break;
    default:
      break;
  }
}

function onEstablished() {
  if (!saved.presenceStarted) {
    saved.presenceStarted = true;
    persist();
    publish('open');
    for (const contact of view.contacts.keys()) {
      client.subscribe({ event: 'presence', to: contact }).catch((e) => showProblem(e.message));
    }
  }
  retrySending();
}

function onEnded(event) {
  if (!saved) return;
  const reason = event.info ? `Session ended: ${event.info}` : 'Session ended';
  stopSession();
  showSignIn(event.status === 'FAILED' ? `Sign-in failed: ${event.info || 'refused'}` : reason);
}

function onPresence(event) {
  const contact = view.contacts.get(userOf(event.to));
  if (!contact) return;
  if (event.status === 'Terminated') {
    contact.presence = 'unknown';
  } else if (event.presence) {
    contact.presence = event.presence.basic === 'open' ? 'open' : 'closed';
    contact.note = event.presence.note || '';
  } else {
    contact.presence = 'closed';  // nothing published: not online
    contact.note = '';
  }
}

function conversation(peer) {
  if (!view.messages.has(peer)) view.messages.set(peer, []);
  return view.messages.get(peer);
}

function onIncoming(event, fresh) {
  const peer = userOf(event.from);
  const list = conversation(peer);
  if (list.some((m) => m.direction === 'in' && m.id === event.id)) return;
  list.push({
    id: event.id, direction: 'in', text: event.body, at: Date.parse(event.timestamp) || Date.now(),
    cpim: /^(message\/cpim|multipart\/mixed)/i.test(event.contentType || ''),
  });
  if (!view.contacts.has(peer)) view.contacts.set(peer, { presence: 'unknown', note: '' });
  if (fresh && peer !== saved.selected) view.unread.set(peer, (view.unread.get(peer) || 0) + 1);
}

function onStatus(event) {
  const entry = saved.outbox.find((m) => m.id === event.id);
  if (!entry || !(event.status in RANK)) return;
  if (RANK[event.status] >= RANK[entry.status]) {
    entry.status = event.status;
    if (event.info) entry.info = event.info;
  }
}

// --- sending ---

function newId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `m-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function send(peer, text, format) {
  const entry = { id: newId(), to: peer, text, format, at: Date.now(), status: 'SENDING' };
  saved.outbox.push(entry);
  persist();
  render();
  deliver(entry);
}

/** Sends (or sends again, with the same id) a message not yet acknowledged by the bridge. */
async function deliver(entry) {
  if (entry.inFlight || !client) return;
  entry.inFlight = true;
  const fields = { id: entry.id, to: entry.to, body: entry.text };
  if (entry.format === 'cpim') Object.assign(fields, { contentType: 'message/cpim', isImdnRequired: true });
  try {
    await client.sendMessage(fields);
    settleSent(entry);
  } catch (e) {
    if (e.status === 400 && e.field === 'id') {
      settleSent(entry);  // an earlier attempt got through: the bridge has the message
    } else if (e.status === 0 || e.status === 503) {
      scheduleRetry();  // no answer, or the bridge is busy: try again with the same id
    } else {
      entry.status = 'FAILED';
      entry.info = e.message;
    }
  } finally {
    delete entry.inFlight;
    persist();
    render();
  }
}

function settleSent(entry) {
  if (RANK[entry.status] < RANK.QUEUED) entry.status = 'QUEUED';
}

function retrySending() {
  if (!saved) return;
  for (const entry of saved.outbox) if (entry.status === 'SENDING') deliver(entry);
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(retrySending, 2000);
}

function publish(state) {
  if (!client) return;
  client.publish({ state, note: state === 'open' ? 'Available' : 'Away' })
    .catch((e) => showProblem(`presence not published: ${e.message}`));
}

// --- session ---

/** Events up to this seq were seen by an earlier load of the page: they have no side effects. */
let resumedAfter = 0;

function makeClient(options) {
  return new SipBridgeClient({
    ...options,
    handlers: {
      event(event) {
        if (!saved) return;
        apply(event, event.seq > resumedAfter);
        if (saved && event.seq > saved.lastSeq) {
          saved.lastSeq = event.seq;
          persist();
        }
        render();
      },
      transport(status) {
        if (!view) return;
        view.connection = status.state;
        if (status.state === 'websocket' || status.state === 'longpoll') retrySending();
        render();
      },
      error(error) {
        if (error.status === 401) {
          stopSession();
          showSignIn('The bridge no longer knows this session; please sign in again.');
        } else {
          showProblem(error.message);
        }
      },
    },
  });
}

/** After a reload: the same session, its events read again from the first to rebuild the view. */
function resume(session) {
  saved = session;
  view = freshView(saved.login);
  resumedAfter = saved.lastSeq || 0;
  client = makeClient({ sessionId: saved.sessionId, authToken: saved.authToken, lastSeq: 0 });
  document.body.dataset.sessionId = saved.sessionId;
  $('my-presence').value = saved.myPresence || 'open';
  showApp();
  client.start();
  retrySending();
}

async function signIn(login, password) {
  saved = {
    login, lastSeq: 0, outbox: [], presenceStarted: false, selected: USERS.find((u) => u !== login),
  };
  view = freshView(login);
  resumedAfter = 0;
  client = makeClient({});
  try {
    const answer = await client.connect({
      appKey: 'demo', sipRegisterRequired: true, sipLogin: login, sipPassword: password,
      sipDomain: DOMAIN, sipVisibleName: title(login),
    });
    saved.sessionId = answer.sessionId;
    saved.authToken = answer.authToken;
  } catch (error) {
    client = null;
    saved = null;
    view = null;
    throw error;
  }
  persist();
  document.body.dataset.sessionId = saved.sessionId;
  $('my-presence').value = 'open';
  showApp();
}

function stopSession() {
  if (client) client.close();
  client = null;
  saved = null;
  persist();
  clearTimeout(retryTimer);
  delete document.body.dataset.sessionId;
}

async function signOut() {
  const leaving = client;
  if (leaving) {
    try {
      await leaving.publish({ state: 'closed', note: 'Signed out' });
    } catch (e) {
      // signing out goes on: the session's end withdraws nothing, the state just ages out
    }
    try {
      await leaving.disconnect();
    } catch (e) {
      // an ended session cannot be disconnected again
    }
  }
  stopSession();
  showSignIn('');
}

// --- rendering ---

function showSignIn(message) {
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('signin-button').disabled = false;
  if (!$('password').value) $('password').value = `${$('user').value}-secret`;
}

function showApp() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('problem').textContent = '';
  render();
}

function showProblem(message) {
  $('problem').textContent = message;
}

function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    if (saved && view) draw();
  });
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function avatar(node, login) {
  node.textContent = title(login).charAt(0);
  node.dataset.hue = String(USERS.indexOf(login) >= 0 ? USERS.indexOf(login) : 4);
}

function presenceText(contact) {
  if (contact.presence === 'open') return contact.note && contact.note !== 'Available' ? `Online · ${contact.note}` : 'Online';
  if (contact.presence === 'closed') return contact.note ? `Offline · ${contact.note}` : 'Offline';
  return 'Offline';
}

const SVG = 'http://www.w3.org/2000/svg';

/** One tick (✓) or two, drawn, so that no font is needed. */
function ticks(status) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 20 12');
  svg.setAttribute('class', 'ticks');
  svg.setAttribute('aria-hidden', 'true');
  const paths = status === 'SENDING' ? ['M10 3.5v2.5l2 1.5']
    : RANK[status] >= RANK.ACCEPTED && RANK[status] < RANK.FAILED ? ['M1.5 6.5l3 3 6.5-7.5', 'M8.5 9.5l6.5-7.5']
      : status === 'QUEUED' ? ['M5 6.5l3 3 6.5-7.5'] : ['M10 1.5v6', 'M10 10v.5'];
  if (status === 'SENDING') {
    const circle = document.createElementNS(SVG, 'circle');
    circle.setAttribute('cx', '10');
    circle.setAttribute('cy', '6');
    circle.setAttribute('r', '4.5');
    svg.appendChild(circle);
  }
  for (const d of paths) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

function time(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function draw() {
  const login = saved.login;
  $('me-name').textContent = title(login);
  avatar($('me-avatar'), login);
  $('connection').textContent = CONNECTION_TEXT[view.connection] || view.connection;
  $('connection').dataset.state = view.connection;

  const contacts = $('contacts');
  contacts.replaceChildren();
  for (const [peer, contact] of view.contacts) {
    const item = element('li', 'contact');
    item.dataset.login = peer;
    item.dataset.presence = contact.presence;
    if (peer === saved.selected) item.classList.add('selected');
    const face = element('div', 'avatar');
    avatar(face, peer);
    face.appendChild(element('span', 'dot'));
    const who = element('div', 'who');
    who.append(element('div', 'name', title(peer)), element('div', 'presence-text', presenceText(contact)));
    item.append(face, who);
    const unread = view.unread.get(peer) || 0;
    if (unread) item.appendChild(element('span', 'badge', String(unread)));
    item.addEventListener('click', () => select(peer));
    contacts.appendChild(item);
  }

  const peer = saved.selected;
  const contact = view.contacts.get(peer) || { presence: 'unknown', note: '' };
  $('peer-name').textContent = title(peer);
  avatar($('peer-avatar'), peer);
  $('peer-presence').textContent = presenceText(contact);
  $('peer-presence').dataset.presence = contact.presence;

  const shown = [
    ...conversation(peer),
    ...saved.outbox.filter((m) => m.to === peer).map((m) => ({ ...m, direction: 'out' })),
  ].sort((a, b) => a.at - b.at);
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  if (shown.length === 0) {
    list.appendChild(element('li', 'empty', `No messages with ${title(peer)} yet. Say hello!`));
  }
  for (const message of shown) {
    const item = element('li', `message ${message.direction}`);
    item.dataset.id = message.id;
    item.appendChild(element('div', 'text', message.text));
    const meta = element('div', 'meta', time(message.at));
    if (message.direction === 'out') {
      item.dataset.status = message.status;
      meta.appendChild(ticks(message.status));
      item.title = STATUS_TEXT[message.status] + (message.info ? `: ${message.info}` : '');
      if (message.format === 'cpim') meta.prepend(element('span', 'format', 'CPIM'));
    } else if (message.cpim) {
      meta.prepend(element('span', 'format', 'CPIM'));
    }
    item.appendChild(meta);
    list.appendChild(item);
  }
  if (atBottom || shown.length < 8) list.scrollTop = list.scrollHeight;
}

function select(peer) {
  saved.selected = peer;
  view.unread.delete(peer);
  persist();
  render();
  $('text').focus();
}

// --- wiring ---

$('user').addEventListener('change', () => {
  $('password').value = `${$('user').value}-secret`;
});

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('signin-button').disabled = true;
  $('signin-error').textContent = '';
  try {
    await signIn($('user').value, $('password').value);
  } catch (error) {
    const reason = error.body && error.body.info ? error.body.info : error.message;
    showSignIn(`Sign-in failed: ${reason}`);
  }
});

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text || !saved) return;
  $('text').value = '';
  send(saved.selected, text, $('format').value);
});

$('signout').addEventListener('click', () => signOut());
$('my-presence').addEventListener('change', () => {
  if (!saved) return;
  saved.myPresence = $('my-presence').value;
  persist();
  publish(saved.myPresence);
});

const previous = load();
if (previous && previous.authToken) resume(previous);
else showSignIn('');
