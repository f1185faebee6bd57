// The dashboard page: reads Orchestra's JSON API (docs/dashboard.md), follows
// the execution log as Server-Sent Events and re-reads the state when an event
// arrives. Plain DOM code; nothing is fetched from anywhere but this server.
'use strict';

const token = new URLSearchParams(location.search).get('token');
const STATUSES = ['completed', 'running', 'failed', 'blocked', 'pending'];
const TRACK_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'];
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 };
const SVG_NS = 'http://www.w3.org/2000/svg';
const LOG_POLL_MS = 1000;
const MAX_EVENTS = 300;

let workstreams = [];
let lastStatus = null;
let refreshPending = false;
let refreshRunning = false;
let detailsId = null;
let logFollow = null;

/** An API URL, with the token when the page was opened with one. */
function api(path) {
  if (!token) return path;
  return path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}

async function getJson(path) {
  const response = await fetch(api(path), { cache: 'no-store' });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function svgElement(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  return node;
}

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 10) return seconds.toFixed(1) + 's';
  if (seconds < 60) return Math.round(seconds) + 's';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + 'm' + String(Math.round(seconds % 60)).padStart(2, '0') + 's';
  return Math.floor(minutes / 60) + 'h' + String(minutes % 60).padStart(2, '0') + 'm';
}

function formatCost(cost) {
  return cost === null || cost === undefined ? '-' : '$' + cost.toFixed(2);
}

function trackColour(track) {
  const tracks = [...new Set(workstreams.map((w) => w.track).filter((t) => t))].sort();
  const index = tracks.indexOf(track);
  return index < 0 ? null : TRACK_COLOURS[index % TRACK_COLOURS.length];
}

function renderStatus(status) {
  lastStatus = status;
  for (const name of STATUSES) document.getElementById('count-' + name).textContent = status.totals[name];
  document.getElementById('elapsed').textContent = formatDuration(status.elapsed_seconds);
  document.getElementById('eta').textContent = formatDuration(status.eta_seconds);
  document.getElementById('cost').textContent = formatCost(status.usage.cost_usd) +
    (status.budget_usd !== null ? ' of ' + formatCost(status.budget_usd) : '');
  renderPauses(status);
  const run = status.run;
  document.getElementById('run-state').textContent = run ? 'run ' + run.id + ': ' + run.state : 'no run yet';
  document.body.dataset.runState = run ? run.state : 'none';
}

/** What holds agents back now (rate limits, a spent budget, a pause), and how often the run was held. */
function renderPauses(status) {
  const active = status.pauses.filter((pause) => pause.active);
  const rateLimits = status.pauses.filter((pause) => pause.kind === 'rate_limit');
  const list = document.getElementById('pause-list');
  list.replaceChildren(...active.map((pause) => {
    let text;
    if (pause.kind === 'rate_limit') {
      const left = Math.max(0, (Date.parse(pause.until.replace(' ', 'T') + 'Z') - Date.now()) / 1000);
      text = 'agents of type ' + (pause.agent_type || '?') + ': rate-limited until ' + pause.until + ' UTC (' +
        formatDuration(left) + ' left)';
    } else {
      text = pause.kind.replace(/_/g, ' ') + ': ' + pause.message.split('\n')[0];
    }
    return element('li', { class: 'pause pause-' + pause.kind }, text);
  }));
  const seconds = rateLimits.reduce((sum, pause) => sum + (pause.seconds || 0), 0);
  document.getElementById('pause-history').textContent = rateLimits.length
    ? rateLimits.length + ' rate limit' + (rateLimits.length > 1 ? 's' : '') + ' this run, ' + formatDuration(seconds) +
      ' of pauses'
    : '';
  document.getElementById('pauses').hidden = active.length === 0 && rateLimits.length === 0;
  document.querySelector('#pauses strong').hidden = active.length === 0;
}

/** The graph from dot, each node clickable and outlined by its track. */
async function renderGraph() {
  const response = await fetch(api('/api/graph.svg'), { cache: 'no-store' });
  if (!response.ok) throw new Error('/api/graph.svg: HTTP ' + response.status);
  const parsed = new DOMParser().parseFromString(await response.text(), 'image/svg+xml');
  const svg = document.importNode(parsed.documentElement, true);
  const byId = new Map(workstreams.map((w) => [w.id, w]));
  for (const node of svg.querySelectorAll('g.node')) {
    const id = node.querySelector('title')?.textContent;
    const workstream = byId.get(id);
    if (!workstream) continue;
    node.dataset.id = id;
    // The status drawn (its class, from the same state read as its fill), not the list's.
    node.dataset.status = [...node.classList].find((name) => STATUSES.includes(name)) || workstream.status;
    const colour = trackColour(workstream.track);
    const shape = node.querySelector('polygon, ellipse, path');
    if (colour && shape) {
      shape.setAttribute('stroke', colour);
      shape.setAttribute('stroke-width', '3');
    }
    node.addEventListener('click', () => openDetails(id));
  }
  document.getElementById('graph').replaceChildren(svg);
}

/** The agent lanes: attempts as bars, the plan's bars faded behind them. */
function renderLanes(lanes) {
  const actual = lanes.actual;
  const planned = lanes.planned;
  const unitSeconds = UNIT_SECONDS[actual.unit] || 1;
  const ends = (chart) => Math.max(0, ...chart.lanes.flatMap((lane) => lane.bars.map((bar) => bar.end)));
  let predicted = ends(actual);
  if (lastStatus && lastStatus.elapsed_seconds !== null && lastStatus.eta_seconds !== null) {
    predicted = Math.max(predicted, (lastStatus.elapsed_seconds + lastStatus.eta_seconds) / unitSeconds);
  }
  const span = Math.max(predicted, 1e-9);
  const planScale = ends(planned) > 0 ? predicted / ends(planned) : 0;
  const agents = [...new Set([...actual.lanes.map((l) => l.agent), ...planned.lanes.map((l) => l.agent)])];
  const labelWidth = 90, width = 560, rowHeight = 28;
  const scale = (width - labelWidth - 10) / span;
  const svg = svgElement('svg', { viewBox: `0 0 ${width} ${agents.length * rowHeight + 24}`, role: 'img' });
  agents.forEach((agent, row) => {
    const y = row * rowHeight + 4;
    const label = svgElement('text', { x: 4, y: y + 17, 'font-size': 12 });
    label.textContent = agent;
    svg.append(label);
    const plannedLane = planned.lanes.find((l) => l.agent === agent);
    for (const bar of plannedLane ? plannedLane.bars : []) {
      svg.append(svgElement('rect', { x: labelWidth + bar.start * planScale * scale, y: y, height: rowHeight - 4,
        width: Math.max(1, (bar.end - bar.start) * planScale * scale), fill: '#999', opacity: 0.25,
        stroke: '#fff', class: 'planned' }));
    }
    const actualLane = actual.lanes.find((l) => l.agent === agent);
    for (const bar of actualLane ? actualLane.bars : []) {
      const rect = svgElement('rect', { x: labelWidth + bar.start * scale, y: y + 6, height: rowHeight - 16,
        width: Math.max(2, (bar.end - bar.start) * scale), class: 'bar bar-' + bar.state,
        fill: bar.state === 'failed' ? '#F4A6A6' : bar.state === 'running' ? '#9FD3F7' : '#A8DDA0',
        stroke: trackColour(bar.track) || '#777', 'stroke-width': 1.5 });
      rect.dataset.workstream = bar.workstream;
      const tip = svgElement('title');
      tip.textContent = bar.workstream + (bar.note ? ' (' + bar.note + ')' : '');
      rect.append(tip);
      rect.addEventListener('click', () => openDetails(bar.workstream));
      svg.append(rect);
    }
  });
  const axis = svgElement('text', { x: labelWidth, y: agents.length * rowHeight + 18, 'font-size': 11, fill: '#666' });
  axis.textContent = '0 to ' + formatDuration(span * unitSeconds);
  svg.append(axis);
  document.getElementById('lanes').replaceChildren(svg);
}

async function refresh() {
  if (refreshRunning) {
    refreshPending = true;
    return;
  }
  refreshRunning = true;
  try {
    const [status, list, lanes] = await Promise.all([getJson('/api/status'), getJson('/api/workstreams'),
      getJson('/api/lanes')]);
    workstreams = list;
    renderStatus(status);
    renderLanes(lanes);
    await renderGraph();
    if (detailsId) await renderDetails(detailsId);
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch (error) {
    document.getElementById('connection').textContent = String(error.message || error);
  } finally {
    refreshRunning = false;
    if (refreshPending) {
      refreshPending = false;
      setTimeout(refresh, 200);
    }
  }
}

function addEvent(entry) {
  const list = document.getElementById('events');
  const item = element('li', {}, entry.timestamp + ' ', element('span', { class: 'event-type' }, entry.event), ' ',
    entry.workstream ? entry.workstream + ' ' : '', entry.message);
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

function followEvents() {
  const connection = document.getElementById('connection');
  const source = new EventSource(api('/api/events?after=0'));
  source.addEventListener('open', () => {
    connection.textContent = 'live';
    connection.classList.add('live');
  });
  source.addEventListener('error', () => {
    connection.textContent = 'reconnecting';
    connection.classList.remove('live');
  });
  source.addEventListener('log', (message) => {
    addEvent(JSON.parse(message.data));
    refresh();
  });
}

function statusPill(status) {
  return element('span', { class: 'status-pill status-' + status }, status);
}

function neighbourList(neighbours) {
  if (neighbours.length === 0) return element('span', {}, 'none');
  const list = element('span');
  neighbours.forEach((neighbour, index) => {
    const link = element('a', { href: '#' }, neighbour.id);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      openDetails(neighbour.id);
    });
    list.append(index ? ', ' : '', link, ' ', statusPill(neighbour.status));
  });
  return list;
}

function attemptsTable(attempts) {
  const table = element('table', {}, element('tr', {}, ...['#', 'agent', 'outcome', 'exit', 'duration', 'cost', 'error']
    .map((name) => element('th', {}, name))));
  for (const attempt of attempts) {
    const exit = attempt.signal !== null ? 'signal ' + attempt.signal : attempt.exit_code ?? '-';
    table.append(element('tr', {}, element('td', {}, String(attempt.attempt)), element('td', {}, attempt.agent),
      element('td', {}, attempt.outcome), element('td', {}, String(exit)),
      element('td', {}, formatDuration(attempt.duration_seconds)), element('td', {}, formatCost(attempt.cost_usd)),
      element('td', {}, attempt.error)));
  }
  return table;
}

async function renderDetails(id) {
  const detail = await getJson('/api/workstreams/' + encodeURIComponent(id));
  if (detailsId !== id) return;
  document.getElementById('details-title').replaceChildren(detail.id, ' ', statusPill(detail.status));
  const fields = element('table');
  const row = (name, value) => fields.append(element('tr', {}, element('th', {}, name), element('td', {}, value)));
  if (detail.title) row('title', detail.title);
  row('track', detail.track || '-');
  row('agent', detail.agent || '-');
  row('type', detail.type || '-');
  row('duration', formatDuration(detail.duration_seconds));
  row('cost', formatCost(detail.cost_usd));
  if (detail.reason) row('reason', detail.reason);
  row('depends on', neighbourList(detail.depends_on));
  row('dependents', neighbourList(detail.dependents));
  const files = [...detail.files_scope, ...detail.files_create];
  row('files', files.length ? files.join(', ') : '-');
  const body = [fields, element('h3', {}, 'Attempts'), attemptsTable(detail.attempts),
    element('h3', {}, 'Prompt'), element('pre', { class: 'prompt' }, detail.prompt)];
  if (detail.diff) {
    body.push(element('h3', {}, 'Diff (attempt ' + detail.diff.attempt + ')'),
      element('pre', { class: 'diff' }, detail.diff.text || '(no changes)'));
  }
  document.getElementById('details-body').replaceChildren(...body);
}

/** Follows the latest attempt's log of `id` by byte offsets until the panel closes. */
async function pollLog(follow) {
  if (logFollow !== follow) return;
  let again = LOG_POLL_MS;
  try {
    const offset = follow.attemptId === undefined ? -1 : follow.offset;
    const chunk = await getJson('/api/workstreams/' + encodeURIComponent(follow.id) + '/log?offset=' + offset);
    if (logFollow !== follow) return;
    const log = document.getElementById('log');
    if (chunk.attempt_id !== follow.attemptId && follow.attemptId !== undefined) {
      follow.attemptId = undefined;  // a new attempt: start again from its tail
      log.textContent = '';
      again = 0;
    } else {
      follow.attemptId = chunk.attempt_id;
      follow.offset = chunk.next_offset;
      document.getElementById('log-attempt').textContent = chunk.attempt ? '(attempt ' + chunk.attempt + ')' : '';
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      if (chunk.text) log.append(chunk.text);
      if (atBottom) log.scrollTop = log.scrollHeight;
      log.dataset.offset = String(chunk.next_offset);
      if (chunk.next_offset < chunk.size) again = 0;
    }
  } catch (error) {
    again = LOG_POLL_MS * 3;
  }
  setTimeout(() => pollLog(follow), again);
}

async function openDetails(id) {
  detailsId = id;
  document.getElementById('details').hidden = false;
  document.getElementById('details-body').replaceChildren('loading');
  document.getElementById('log').textContent = '';
  logFollow = { id, attemptId: undefined, offset: 0 };
  pollLog(logFollow);
  await renderDetails(id);
}

document.getElementById('close-details').addEventListener('click', () => {
  detailsId = null;
  logFollow = null;
  document.getElementById('details').hidden = true;
});

refresh();
followEvents();
// Elapsed time moves between events too.
setInterval(() => {
  if (lastStatus && lastStatus.run && lastStatus.run.state === 'running') refresh();
}, 5000);
