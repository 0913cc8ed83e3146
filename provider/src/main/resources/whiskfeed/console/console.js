// whiskfeed operator console: vanilla JS over the admin API (docs/operations.md, "Console").
// Everything from the API is put into the page as text (textContent), never as HTML: payloads,
// reasons and errors are other people's data.
'use strict';

const TOKEN_KEY = 'whiskfeed.adminToken';
const API = '/api/v1/admin';
const PAGE = 50;
const SVG = 'http://www.w3.org/2000/svg';

const state = { feedsAfter: null, deadAfter: null, feedFilter: {}, deadFeed: '' };

// ---- small helpers

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function say(message, isError) {
  const s = $('status');
  s.textContent = message;
  s.classList.toggle('error', !!isError);
}

function token() { return sessionStorage.getItem(TOKEN_KEY); }

/** A path segment pair of "/namespace/trigger". */
function feedPath(feed) {
  const slash = feed.indexOf('/', 1);
  return '/' + encodeURIComponent(feed.slice(1, slash)) + '/' + encodeURIComponent(feed.slice(slash + 1));
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(API + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON: reported below */ }
  if (!response.ok) {
    if (response.status === 401) disconnect('The admin token was refused (401). Enter it again.');
    if (response.status === 404 && json && json.code === 'not_found' && /no such resource/.test(json.error || '')) {
      disconnect('This provider has no admin API (WHISKFEED_ADMIN_TOKEN is not set).');
    }
    throw new ApiError(response.status, (json && json.error) || ('HTTP ' + response.status));
  }
  return json;
}

function ago(seconds) {
  if (!seconds) return '—';
  if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + ' s';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + Math.floor(seconds % 60) + ' s';
  if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  return Math.floor(seconds / 86400) + ' d ' + Math.floor((seconds % 86400) / 3600) + ' h';
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function stateBadge(name) { return el('span', { class: 'state state-' + name }, name); }

// ---- connection

function connect(event) {
  if (event) event.preventDefault();
  const value = $('token').value.trim();
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  $('token').value = '';
  if (!token()) { say('Enter the admin token first.', true); return; }
  $('main').hidden = false;
  say('Connected. Loading…');
  reloadAll();
}

function disconnect(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $('main').hidden = true;
  $('feeds').tBodies[0].replaceChildren();
  $('dead').tBodies[0].replaceChildren();
  say(message, true);
  $('token').focus();
}

async function reloadAll() {
  try {
    await Promise.all([loadFeeds(false), loadDead(false)]);
    say('Loaded at ' + new Date().toLocaleTimeString() + '.');
  } catch (e) {
    if (token()) say('Could not load: ' + e.message, true);
  }
}

// ---- feeds

async function loadFeeds(more) {
  const query = new URLSearchParams({ limit: PAGE });
  for (const [k, v] of Object.entries(state.feedFilter)) if (v) query.set(k, v);
  if (more && state.feedsAfter) query.set('after', state.feedsAfter);
  const page = await api('GET', '/feeds?' + query);
  const body = $('feeds').tBodies[0];
  if (!more) body.replaceChildren();
  const rows = page.feeds.map(feedRow);
  body.append(...rows);
  state.feedsAfter = page.next;
  $('more-feeds').hidden = !page.next;
  $('feeds-empty').hidden = body.rows.length > 0;
  await Promise.all(page.feeds.map((f, i) => loadActivity(f.trigger, rows[i])));
}

function feedRow(feed) {
  const status = feed.status || {};
  const stats = feed.stats || {};
  const reason = status.reason;
  const reasonText = reason
    ? reason.kind + (reason.statusCode ? ' ' + reason.statusCode : '') + ': ' + reason.message : '';
  const unavailable = stats.error ? el('span', { class: 'muted' }, stats.error) : null;
  const row = el('tr', { 'data-feed': feed.trigger },
    el('th', { scope: 'row', class: 'mono' }, feed.trigger),
    el('td', {}, feed.kind),
    el('td', {}, stateBadge(status.state)),
    el('td', { class: 'reason' }, reasonText),
    el('td', { class: 'num backlog' }, unavailable || String(stats.pending)),
    el('td', { class: 'num' }, unavailable ? '' : String(stats.dead)),
    el('td', { class: 'num oldest' }, '…'),
    el('td', { class: 'activity' }, el('span', { class: 'muted' }, '…')),
    el('td', {}, feedActions(feed)));
  return row;
}

function feedActions(feed) {
  const box = el('div', { class: 'actions' });
  const label = ' ' + feed.trigger;
  if (feed.status.state === 'disabled') {
    box.append(el('button', { type: 'button', 'aria-label': 'Enable' + label,
      onclick: () => changeFeed(feed.trigger, 'enable') }, 'Enable'));
  } else {
    box.append(el('button', { type: 'button', class: 'danger', 'aria-label': 'Disable' + label,
      onclick: () => askDisable(feed.trigger, box) }, 'Disable'));
  }
  box.append(el('button', { type: 'button', 'aria-label': 'Dead events of' + label,
    onclick: () => { $('d-feed').value = feed.trigger; showDead(); } }, 'Dead events'));
  return box;
}

/** Disabling asks for a reason in place: a text field, confirm and cancel, focus on the field. */
function askDisable(feed, box) {
  const id = 'disable-' + Math.random().toString(36).slice(2);
  const input = el('input', { id, size: 18, maxlength: 500, placeholder: 'optional' });
  const form = el('form', { class: 'actions', onsubmit: (e) => { e.preventDefault(); changeFeed(feed, 'disable', input.value); } },
    el('label', { for: id }, 'Reason'), input,
    el('button', { type: 'submit', class: 'danger' }, 'Confirm disable'),
    el('button', { type: 'button', onclick: () => { form.replaceWith(...saved); saved[0].focus(); } }, 'Cancel'));
  const saved = [...box.childNodes];
  box.replaceChildren(form);
  input.focus();
}

async function changeFeed(feed, action, message) {
  try {
    const body = action === 'disable' && message ? { message } : undefined;
    await api('POST', '/feeds' + feedPath(feed) + '/' + action, body);
    say(feed + (action === 'enable' ? ' enabled.' : ' disabled.'));
    await loadFeeds(false);
    const row = [...$('feeds').tBodies[0].rows].find((r) => r.dataset.feed === feed);
    const button = row && row.querySelector('button');
    if (button) button.focus();
  } catch (e) {
    say('Could not ' + action + ' ' + feed + ': ' + e.message, true);
  }
}

async function loadActivity(feed, row) {
  try {
    const a = await api('GET', '/feeds' + feedPath(feed) + '/activity');
    const pending = Number(row.querySelector('.backlog').textContent) || 0;
    row.querySelector('.oldest').textContent = pending > 0 || a.oldestPendingAgeSec > 0 ? ago(a.oldestPendingAgeSec) : '—';
    row.querySelector('.activity').replaceChildren(chart(a));
  } catch (e) {
    row.querySelector('.activity').replaceChildren(el('span', { class: 'muted' }, 'unavailable'));
  }
}

/** 60 one-minute bars, fires (green) under failures (red), oldest minute left; the totals beside it as text. */
function chart(a) {
  const fired = a.fired.reduce((x, y) => x + y, 0);
  const failed = a.failed.reduce((x, y) => x + y, 0);
  const width = 180, height = 30, step = width / a.fired.length;
  const max = Math.max(1, ...a.fired.map((f, i) => f + a.failed[i]));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  const label = `Last 60 minutes of ${a.trigger}: ${plural(fired, 'fire')}, ${plural(failed, 'failure')}`;
  svg.setAttribute('aria-label', label);
  const title = document.createElementNS(SVG, 'title');
  title.textContent = label;
  svg.append(title);
  a.fired.forEach((f, i) => {
    const okHeight = (f / max) * (height - 2);
    const badHeight = (a.failed[i] / max) * (height - 2);
    if (f) svg.append(rect(i * step + 0.5, height - okHeight, step - 1, okHeight, 'bar-fired'));
    if (a.failed[i]) svg.append(rect(i * step + 0.5, height - okHeight - badHeight, step - 1, badHeight, 'bar-failed'));
  });
  const counts = el('span', { class: 'counts', 'aria-hidden': 'true' },
    el('span', { class: 'fired' }, String(fired)), ' / ', el('span', { class: 'failed' }, String(failed)));
  return el('span', { class: 'chart' }, svg, counts);
}

function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

function rect(x, y, w, h, cls) {
  const r = document.createElementNS(SVG, 'rect');
  r.setAttribute('x', x.toFixed(2));
  r.setAttribute('y', y.toFixed(2));
  r.setAttribute('width', Math.max(w, 1).toFixed(2));
  r.setAttribute('height', Math.max(h, 1).toFixed(2));
  r.setAttribute('class', cls);
  return r;
}

// ---- dead events

async function loadDead(more) {
  const query = new URLSearchParams({ state: 'dead', limit: PAGE });
  if (state.deadFeed) query.set('feed', state.deadFeed);
  if (more && state.deadAfter) query.set('after', state.deadAfter);
  const page = await api('GET', '/events?' + query);
  const body = $('dead').tBodies[0];
  if (!more) body.replaceChildren();
  body.append(...page.events.map(deadRow));
  state.deadAfter = page.next;
  $('more-dead').hidden = !page.next;
  $('dead-empty').hidden = body.rows.length > 0;
}

function deadRow(event) {
  const answer = [event.lastStatusCode ? 'HTTP ' + event.lastStatusCode : '', event.lastError || '']
    .filter(Boolean).join(' — ');
  const stateCell = el('td', { class: 'event-state' }, stateBadge(event.state));
  const button = el('button', { type: 'button', class: 'primary', 'aria-label': 'Redeliver event ' + event.id,
    onclick: () => redeliver(event, button, stateCell) }, 'Redeliver');
  return el('tr', { 'data-event': event.id },
    el('td', { class: 'mono' }, event.feed),
    el('td', { class: 'mono' }, when(event.createdAt)),
    el('td', { class: 'num' }, String(event.attempts)),
    el('td', { class: 'error-text' }, answer || '—'),
    el('td', {}, el('details', {}, el('summary', {}, 'Payload ', el('span', { class: 'mono muted' }, event.id.slice(0, 8))),
      el('pre', { class: 'mono' }, JSON.stringify(event.payload, null, 2)))),
    stateCell,
    el('td', {}, button));
}

async function redeliver(event, button, stateCell) {
  button.disabled = true;
  try {
    await api('POST', '/events/redeliver', { feed: event.feed, event: event.id });
    stateCell.replaceChildren(stateBadge('pending'));
    say('Event ' + event.id + ' of ' + event.feed + ' redelivered; waiting for the fire…');
    await follow(event, stateCell);
  } catch (e) {
    button.disabled = false;
    say('Could not redeliver ' + event.id + ': ' + e.message, true);
  }
}

/** Watches a redelivered event until it is delivered or dead again (30 s at most). */
async function follow(event, stateCell) {
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const page = await api('GET', '/events?' + new URLSearchParams({ feed: event.feed, limit: 1000 }));
    const now = page.events.find((e) => e.id === event.id);
    if (!now || now.state === 'pending') continue;
    stateCell.replaceChildren(stateBadge(now.state));
    if (now.state === 'delivered') {
      say('Event ' + event.id + ' of ' + event.feed + ' delivered'
        + (now.activationId ? ' (activation ' + now.activationId + ')' : '') + '.');
    } else {
      say('Event ' + event.id + ' of ' + event.feed + ' is ' + now.state + ' again: '
        + (now.lastError || 'HTTP ' + now.lastStatusCode), true);
    }
    loadFeeds(false).catch(() => {});
    return;
  }
  say('Event ' + event.id + ' is still pending; refresh later.');
}

function showDead(e) {
  if (e) e.preventDefault();
  state.deadFeed = $('d-feed').value.trim();
  loadDead(false).then(() => say('Dead events loaded.')).catch((err) => say('Could not load dead events: ' + err.message, true));
}

// ---- wiring

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', connect);
  $('forget').addEventListener('click', () => disconnect('Token forgotten.'));
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    state.feedFilter = { namespace: $('f-namespace').value.trim(), kind: $('f-kind').value, state: $('f-state').value };
    loadFeeds(false).then(() => say('Feeds loaded.')).catch((err) => say('Could not load feeds: ' + err.message, true));
  });
  $('refresh').addEventListener('click', reloadAll);
  $('more-feeds').addEventListener('click', () => loadFeeds(true).catch((err) => say(err.message, true)));
  $('dead-filter').addEventListener('submit', showDead);
  $('more-dead').addEventListener('click', () => loadDead(true).catch((err) => say(err.message, true)));
  if (token()) connect();
});
