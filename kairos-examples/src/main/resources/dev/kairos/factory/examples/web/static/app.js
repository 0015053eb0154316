// The Kairos Factory web UI: one page over the REST API under /api/v1.
// Everything the server sends is put in the page as text (textContent, attributes), never as HTML.
// No template literals with dollar-brace here: the resources are filtered by the build.
'use strict';

const API = '/api/v1';
const TOKEN_KEY = 'kairos-factory-token';
const TERMINAL = ['succeeded', 'failed', 'cancelled', 'interrupted'];
const DEFAULT_ARTIFACTS = ['oci-layout', 'oci-archive', 'iso', 'disk', 'disk-bios', 'uki', 'netboot', 'push'];

const $ = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes. */
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

// ---- the API -------------------------------------------------------------------------------

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function headers(extra) {
  const hd = Object.assign({}, extra || {});
  if (token()) hd['Authorization'] = 'Bearer ' + token();
  return hd;
}

class ApiError extends Error {
  constructor(status, body) {
    super(describeError(status, body));
    this.status = status;
    this.body = body;
  }
}

function describeError(status, body) {
  if (body && typeof body === 'object') {
    return String(body.message || body.error || body.title || ('HTTP ' + status));
  }
  return body ? String(body) : 'HTTP ' + status;
}

async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const r = await fetch(API + path, init);
  const text = await r.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch (e) { /* plain text */ }
  if (r.status === 401 || r.status === 403) {
    banner('This server needs a bearer token: enter it at the top right.');
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

function banner(text) {
  const b = $('banner');
  if (!text) { b.hidden = true; return; }
  b.textContent = text;
  b.hidden = false;
}

// ---- formatting ----------------------------------------------------------------------------

function size(bytes) {
  if (bytes === undefined || bytes === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
}

/** Milliseconds (a number) or an ISO-8601 duration (PT1.5S) as "1.5 s", "2 min 3 s". */
function duration(d) {
  let ms = null;
  if (typeof d === 'number') ms = d;
  else if (typeof d === 'string') {
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(d);
    if (m) ms = ((+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0)) * 1000;
  }
  if (ms === null || isNaN(ms)) return '';
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

function when(t) {
  if (!t) return '';
  const d = new Date(t);
  return isNaN(d) ? String(t) : d.toLocaleString();
}

function stepMs(s) {
  if (typeof s.seconds === 'number') return s.seconds * 1000;
  if (s.durationMs !== undefined) return s.durationMs;
  if (s.tookMs !== undefined) return s.tookMs;
  if (s.took !== undefined) return s.took;
  if (s.duration !== undefined) return s.duration;
  if (s.startedAt && s.finishedAt) return new Date(s.finishedAt) - new Date(s.startedAt);
  return undefined;
}

function names(list) {
  return (list || []).map((x) => (typeof x === 'string' ? x : (x.name || x.id || x.value || String(x))));
}

// ---- the form ------------------------------------------------------------------------------

let config = {};

function fillSelect(select, values, labels) {
  clear(select);
  values.forEach((v, i) => select.append(h('option', { value: v }, (labels && labels[i]) || v || 'default')));
}

async function loadConfig() {
  try {
    config = (await api('GET', '/config')) || {};
  } catch (e) {
    config = {};
    if (!(e instanceof ApiError) || e.status !== 401) banner('Cannot read the server configuration: ' + e.message);
  }
  const defaults = config.defaults || {};
  $('server-version').textContent = config.version ? 'v. ' + config.version : '';

  const bases = (config.bases || config.baseImages || []).map((b) =>
    typeof b === 'string' ? { ref: b, name: b } : { ref: b.ref || b.reference || b.from || b.name, name: b.name || b.ref });
  const base = $('base');
  clear(base);
  for (const b of bases) base.append(h('option', { value: b.ref }, b.name === b.ref ? b.ref : b.name + ' (' + b.ref + ')'));
  base.append(h('option', { value: '' }, 'Bring your own: any reference, debootstrap:SUITE or dir:DIR'));
  $('from').value = defaults.from || (bases[0] && bases[0].ref) || '';
  syncBase();

  const arches = names(config.arches || config.architectures || ['amd64', 'arm64']);
  fillSelect($('arch'), [''].concat(arches), ["the image's own"].concat(arches));
  if (defaults.arch) $('arch').value = defaults.arch;
  const models = names(config.models || ['generic', 'rpi3', 'rpi4']);
  fillSelect($('model'), models);
  $('model').value = defaults.model || (models.includes('generic') ? 'generic' : models[0]);
  const providers = names(config.providers || ['k3s', 'k0s']);
  fillSelect($('provider'), providers);
  if (defaults.version) $('version').value = defaults.version;

  const kinds = names(config.artifactKinds || config.artifacts || DEFAULT_ARTIFACTS);
  const box = clear($('artifacts'));
  const chosen = defaults.artifacts || [];
  for (const k of kinds) {
    box.append(h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: k, id: 'artifact-' + k, checked: chosen.includes(k) }), ' ' + k));
  }
  $('artifact-push') && $('artifact-push').addEventListener('change', () => { $('push-row').hidden = !$('artifact-push').checked; });
}

function syncBase() {
  const from = $('from').value;
  const base = $('base');
  base.value = [...base.options].some((o) => o.value === from && from) ? from : '';
}

/** The build request the form describes, with the API's field names. */
function request() {
  const r = { from: $('from').value.trim(), version: $('version').value.trim() };
  if ($('model').value) r.model = $('model').value;
  if ($('arch').value) r.arch = $('arch').value;
  r.variant = $('variant').value;
  if (r.variant === 'standard' && $('provider').value) {
    r.provider = $('provider').value;
    if ($('provider-version').value.trim()) r.providerVersion = $('provider-version').value.trim();
  }
  r.trusted = $('trusted').checked;
  r.fips = $('fips').checked;
  const skip = $('skip-steps').value.split(',').map((s) => s.trim()).filter((s) => s);
  if (skip.length) r.skipSteps = skip;
  const ext = $('stage-extension').value;
  if (ext.trim()) r.stageExtensions = [ext];
  const cc = $('cloud-config').value;
  if (cc.trim()) r.cloudConfig = cc;
  r.artifacts = [...document.querySelectorAll('#artifacts input:checked')].map((i) => i.value);
  if (r.artifacts.includes('push')) r.push = $('push-ref').value.trim();
  return r;
}

/** Findings of a 400 answer, whatever the key they come under. */
function findingsOf(body) {
  if (!body || typeof body !== 'object') return [];
  const list = body.findings || body.errors || body.problems || [];
  return Array.isArray(list) ? list : [];
}

function findingText(f) {
  if (typeof f === 'string') return f;
  const where = [];
  if (f.path || f.field || f.pointer) where.push(f.path || f.field || f.pointer);
  if (f.file) where.push(f.file);
  if (f.line !== undefined) where.push('line ' + f.line + (f.column !== undefined ? ':' + f.column : ''));
  return (where.length ? where.join(' ') + ': ' : '') + (f.message || JSON.stringify(f));
}

function showFindings(ul, error) {
  clear(ul);
  if (!error) return;
  const list = error instanceof ApiError ? findingsOf(error.body) : [];
  if (!list.length) ul.append(h('li', { class: 'error' }, error.message));
  for (const f of list) ul.append(h('li', { class: 'error' }, findingText(f)));
}

async function submitBuild(ev) {
  ev.preventDefault();
  const button = $('build-button');
  button.disabled = true;
  showFindings($('form-findings'), null);
  try {
    const b = await api('POST', '/builds', request());
    const id = b && (b.id || b.buildId);
    await refreshBuilds();
    if (id) watch(id);
  } catch (e) {
    showFindings($('form-findings'), e);
  } finally {
    button.disabled = false;
  }
}

async function previewPlan() {
  const out = clear($('plan-body'));
  $('plan').hidden = false;
  out.append(h('div', { class: 'muted' }, 'planning...'));
  showFindings($('form-findings'), null);
  try {
    const plan = await api('POST', '/plan', request());
    clear(out);
    renderPlan(out, plan);
  } catch (e) {
    clear(out);
    showFindings($('form-findings'), e);
    $('plan').hidden = true;
  }
}

/** A plan: its steps (with their actions) when it has them, else its JSON, as text. */
function renderPlan(out, plan) {
  const p = (plan && plan.plan) || plan || {};
  const facts = [];
  for (const k of ['name', 'distro', 'family', 'arch', 'model', 'version', 'artifactName']) {
    const v = p[k] !== undefined ? p[k] : plan && plan[k];
    if (v !== undefined && typeof v !== 'object') facts.push(h('span', { class: 'fact' }, k + ': ' + v));
  }
  for (const k of ['basePackages', 'kernelPackages']) {
    if (Array.isArray(p[k])) facts.push(h('span', { class: 'fact', title: p[k].join(' ') }, p[k].length + ' ' + (k === 'basePackages' ? 'base' : 'kernel') + ' packages'));
  }
  if (plan && typeof plan.seconds === 'number') facts.push(h('span', { class: 'fact muted' }, 'planned in ' + duration(plan.seconds * 1000)));
  if (facts.length) out.append(h('div', { class: 'facts' }, facts));
  const steps = p.steps || (plan && plan.steps);
  if (Array.isArray(steps)) {
    const ol = h('ul', { class: 'plan-steps', id: 'plan-steps' });
    let skippedRun = null;
    for (const s of steps) {
      const name = typeof s === 'string' ? s : (s.name || s.step || s.id);
      const skipped = s && (s.skipped || s.skip);
      // Steps skipped one after another share a line: what runs stands out.
      if (skipped) {
        if (!skippedRun) {
          skippedRun = h('li', { class: 'skipped' });
          skippedRun.names = [];
          ol.append(skippedRun);
        }
        skippedRun.names.push(String(name));
        clear(skippedRun).append(h('span', { class: 'muted' }, 'skipped: '), h('s', { class: 'muted' }, skippedRun.names.join(', ')));
        continue;
      }
      skippedRun = null;
      const actions = ((s && (s.actions || s.commands || s.does)) || []).concat((s && s.files) || []);
      const li = h('li', { class: skipped ? 'skipped' : '' }, h('b', {}, String(name)),
        skipped ? h('span', { class: 'muted' }, ' skipped') : '',
        s && s.description ? h('span', { class: 'muted' }, ' ' + s.description) : '');
      if (Array.isArray(actions) && actions.length) {
        li.append(h('ul', {}, actions.slice(0, 50).map((a) => h('li', { class: 'mono' }, typeof a === 'string' ? a : (a.description || JSON.stringify(a))))));
      }
      ol.append(li);
    }
    out.append(ol);
  } else {
    out.append(h('pre', { class: 'log' }, typeof plan === 'string' ? plan : JSON.stringify(plan, null, 2)));
  }
}

// ---- the stage-extension editor ------------------------------------------------------------

let validateTimer = null;
let validateSeq = 0;

function gutter() {
  const n = $('stage-extension').value.split('\n').length;
  const marks = new Set(currentFindingLines);
  const g = clear($('stage-gutter'));
  for (let i = 1; i <= n; i++) {
    g.append(marks.has(i) ? h('span', { class: 'mark' }, i + ' \u25cf') : String(i), i < n ? '\n' : '');
  }
}

let currentFindingLines = [];

function scheduleValidate() {
  gutter();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validateStage, 350);
}

async function validateStage() {
  const doc = $('stage-extension').value;
  const status = $('stage-status');
  const ul = clear($('stage-findings'));
  const seq = ++validateSeq;
  if (!doc.trim()) {
    currentFindingLines = [];
    status.textContent = 'empty: no stage extension';
    status.className = 'status muted';
    gutter();
    return;
  }
  status.textContent = 'checking...';
  try {
    const r = await api('POST', '/yip/validate', { document: doc });
    if (seq !== validateSeq) return;
    const findings = Array.isArray(r) ? r : findingsOf(r);
    currentFindingLines = findings.map((f) => f.line).filter((l) => l !== undefined);
    const errors = findings.filter((f) => f.severity !== 'warning').length;
    const warnings = findings.length - errors;
    if (!errors) {
      status.textContent = 'valid yip' + (warnings ? ', ' + warnings + (warnings === 1 ? ' warning' : ' warnings') : '');
      status.className = 'status ok';
    } else {
      status.textContent = errors + (errors === 1 ? ' finding' : ' findings');
      status.className = 'status bad';
    }
    for (const f of findings) {
      const warning = f.severity === 'warning';
      ul.append(h('li', { class: (warning ? 'warning' : 'error') + ' finding', 'data-line': f.line },
        h('span', { class: 'where' }, 'line ' + f.line + ':' + f.column), ' ' + (f.message || '')));
    }
  } catch (e) {
    if (seq !== validateSeq) return;
    currentFindingLines = findingsOf(e.body).map((f) => f.line).filter((l) => l !== undefined);
    status.textContent = 'not checked';
    status.className = 'status bad';
    showFindings(ul, e);
  }
  gutter();
}

// ---- live builds ---------------------------------------------------------------------------

/** What the page knows of each build: the API's view plus what its event stream said since. */
const builds = new Map();
const streams = new Map();

function track(b) {
  const known = builds.get(b.id) || { steps: new Map(), events: 0 };
  known.build = b;
  for (const s of b.steps || b.timings || []) {
    const name = s.name || s.step;
    if (!name) continue;
    known.steps.set(name, Object.assign(known.steps.get(name) || {}, {
      name, state: s.state || (s.skipped ? 'skipped' : s.cached ? 'cached' : (stepMs(s) !== undefined ? 'done' : 'running')),
      ms: s.cached ? undefined : stepMs(s),
    }));
  }
  builds.set(b.id, known);
  return known;
}

function stateOf(k) {
  return (k && k.build && k.build.state) || 'queued';
}

/** How far a build is, 0..1: finished steps of all it will run, or the current transfer. */
function fraction(k) {
  const st = stateOf(k);
  if (st === 'succeeded') return 1;
  if (TERMINAL.includes(st)) return k.lastFraction || 0;
  if (st === 'queued') return 0;
  // The steps take the first 80 %; the artifacts, written after them, the rest.
  const total = expectedSteps();
  const done = [...k.steps.values()].filter((s) => s.state !== 'running').length;
  const within = k.progress && k.progress.total > 0 ? Math.min(k.progress.done / k.progress.total, 1) : 0;
  let f;
  if (done < total) f = 0.8 * (done + within) / total;
  else f = 0.8 + 0.19 * within;
  f = Math.max(Math.min(f, 0.99), k.lastFraction || 0);
  k.lastFraction = f;
  return f;
}

/** How many steps a build runs: each of the config's steps (not the two phases) and the six extension stages. */
function expectedSteps() {
  const steps = (config.steps || []).filter((s) => s !== 'install' && s !== 'init');
  return steps.length ? steps.length + 6 : 23;
}

function currentStep(k) {
  const running = [...k.steps.values()].filter((s) => s.state === 'running');
  return running.length ? running[running.length - 1].name : '';
}

/** One event of the stream, as the server sends it (a type and its fields). */
function onEvent(id, type, data) {
  const k = builds.get(id) || track({ id, state: 'running' });
  const t = String(data.type || data.event || type || '').toLowerCase().replace(/[-_]/g, '');
  k.events++;
  const step = data.step || data.name;
  if (t === 'stepstarted' && step) {
    k.steps.set(step, { name: step, state: 'running', description: data.description });
    if (stateOf(k) === 'queued') k.build.state = 'running';
  } else if (t === 'stepfinished' && step) {
    k.steps.set(step, { name: step, state: data.skipped ? 'skipped' : 'done', ms: stepMs(data) });
    k.progress = null;
  } else if (t === 'cachehit' && data.step) {
    // Restored from the step cache instead of run.
    k.steps.set(data.step, { name: data.step, state: 'cached' });
  } else if (t === 'progress') {
    k.progress = { task: data.task, done: data.done, total: data.total, unit: data.unit };
  } else if (t === 'state' || t === 'finished' || t === 'done' || t === 'end' || t === 'statechanged') {
    if (data.state) k.build.state = data.state;
  } else if (t === 'warning' || t === 'log') {
    k.lastMessage = data.message || data.line;
  }
  if (data.state && TERMINAL.includes(data.state)) k.build.state = data.state;
  render(id);
  if (TERMINAL.includes(stateOf(k))) {
    stopStream(id);
    refreshBuild(id);
  }
}

/**
 * Follows a build's Server-Sent Events with fetch (an EventSource cannot send the bearer token),
 * resuming after a dropped connection with Last-Event-ID.
 */
function watch(id) {
  if (streams.has(id)) return;
  const s = { controller: new AbortController(), lastId: null, stopped: false };
  streams.set(id, s);
  (async () => {
    let delay = 500;
    while (!s.stopped) {
      try {
        const hd = headers({ Accept: 'text/event-stream' });
        if (s.lastId !== null) hd['Last-Event-ID'] = s.lastId;
        const r = await fetch(API + '/builds/' + encodeURIComponent(id) + '/events', { headers: hd, signal: s.controller.signal });
        if (!r.ok || !r.body) throw new Error('HTTP ' + r.status);
        delay = 500;
        await readEvents(r.body, (ev) => {
          if (ev.id !== null) s.lastId = ev.id;
          let data = {};
          try { data = ev.data ? JSON.parse(ev.data) : {}; } catch (e) { data = { message: ev.data }; }
          onEvent(id, ev.event, data);
        });
        // The server ended the stream: the build is over, or it will resume from Last-Event-ID.
        await refreshBuild(id);
        if (TERMINAL.includes(stateOf(builds.get(id)))) break;
      } catch (e) {
        if (s.stopped) break;
      }
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 5000);
    }
    streams.delete(id);
  })();
}

function stopStream(id) {
  const s = streams.get(id);
  if (s) { s.stopped = true; s.controller.abort(); streams.delete(id); }
}

/** The text/event-stream format: fields per line, events separated by a blank line. */
async function readEvents(body, onEv) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let ev = { id: null, event: '', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
      if (line === '') {
        if (ev.data.length || ev.event) onEv({ id: ev.id, event: ev.event, data: ev.data.join('\n') });
        ev = { id: ev.id, event: '', data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const c = line.indexOf(':');
      const field = c < 0 ? line : line.slice(0, c);
      let v = c < 0 ? '' : line.slice(c + 1);
      if (v.startsWith(' ')) v = v.slice(1);
      if (field === 'data') ev.data.push(v);
      else if (field === 'event') ev.event = v;
      else if (field === 'id') ev.id = v;
    }
  }
}

// ---- the builds list -----------------------------------------------------------------------

async function refreshBuilds() {
  const state = $('state-filter').value;
  let list;
  try {
    const r = await api('GET', '/builds' + (state ? '?state=' + encodeURIComponent(state) : ''));
    list = Array.isArray(r) ? r : (r && (r.builds || r.items || r.data)) || [];
  } catch (e) {
    return;
  }
  const container = $('builds');
  const rows = [];
  for (const b of list) {
    const k = track(b);
    rows.push(row(k));
    if (!TERMINAL.includes(b.state)) watch(b.id);
  }
  clear(container).append(...rows);
  $('builds-empty').hidden = list.length > 0;
}

function from(b) {
  return (b.request && b.request.from) || b.from || '';
}

function row(k) {
  const b = k.build;
  const e = h('a', { class: 'build-row', href: '#build/' + encodeURIComponent(b.id), id: 'row-' + b.id, 'data-id': b.id });
  fillRow(e, k);
  return e;
}

function fillRow(e, k) {
  const b = k.build;
  const st = stateOf(k);
  const req = b.request || b;
  const f = fraction(k);
  const steps = [...k.steps.values()].filter((s) => s.state !== 'skipped');
  clear(e).append(
    h('div', { class: 'row-top' },
      h('span', { class: 'state ' + st }, st),
      h('span', { class: 'row-title' }, from(b) || String(b.id)),
      h('span', { class: 'muted' }, req.version || ''),
      h('span', { class: 'muted right' }, when(b.createdAt || b.created || b.queuedAt))),
    h('div', { class: 'progress' }, h('div', {
      class: 'bar ' + st, style: 'width:' + (f * 100).toFixed(1) + '%', role: 'progressbar',
      'aria-valuenow': Math.round(f * 100), 'aria-valuemin': 0, 'aria-valuemax': 100,
    })),
    h('div', { class: 'row-steps muted' },
      steps.length ? steps.slice(-6).map((s) => h('span', { class: 'chip ' + s.state },
        s.name + (s.ms !== undefined ? ' ' + duration(s.ms) : (s.state === 'running' ? ' \u2026' : '')))) :
        (st === 'queued' ? 'waiting in the queue' : '')));
}

function render(id) {
  const k = builds.get(id);
  if (!k) return;
  const e = document.getElementById('row-' + id);
  if (e) fillRow(e, k);
  if (shown === id) renderBuildPage(k);
}

// ---- the build page ------------------------------------------------------------------------

let shown = null;
let logTimer = null;

async function refreshBuild(id) {
  try {
    const b = await api('GET', '/builds/' + encodeURIComponent(id));
    const k = track(b);
    render(id);
    return k;
  } catch (e) {
    return null;
  }
}

async function openBuild(id) {
  shown = id;
  $('home').hidden = true;
  $('build-page').hidden = false;
  $('build-title').textContent = 'Build ' + id;
  clear($('build-log'));
  const k = await refreshBuild(id);
  if (!k) {
    $('build-current').textContent = 'No such build.';
    return;
  }
  if (!TERMINAL.includes(stateOf(k))) watch(id);
  await refreshLog(id);
}

async function refreshLog(id) {
  clearTimeout(logTimer);
  if (shown !== id) return;
  try {
    const r = await fetch(API + '/builds/' + encodeURIComponent(id) + '/log', { headers: headers() });
    if (r.ok) {
      const pre = $('build-log');
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
      pre.textContent = await r.text();
      if (atEnd) pre.scrollTop = pre.scrollHeight;
    }
  } catch (e) { /* next time */ }
  const k = builds.get(id);
  if (!k || !TERMINAL.includes(stateOf(k))) logTimer = setTimeout(() => refreshLog(id), 1500);
}

function renderBuildPage(k) {
  const b = k.build;
  const st = stateOf(k);
  const badge = $('build-state');
  badge.textContent = st;
  badge.className = 'state ' + st;
  const f = fraction(k);
  const bar = $('build-progress');
  bar.style.width = (f * 100).toFixed(1) + '%';
  bar.className = 'bar ' + st;
  bar.setAttribute('aria-valuenow', String(Math.round(f * 100)));
  $('cancel-button').hidden = TERMINAL.includes(st);
  const cur = currentStep(k);
  let line = cur ? 'running ' + cur : (st === 'queued' ? 'waiting in the queue' : '');
  if (!cur && st === 'running' && k.steps.size) line = 'writing the artifacts';
  if (k.progress && k.progress.total > 0 && !TERMINAL.includes(st)) {
    const u = String(k.progress.unit || 'BYTES').toUpperCase();
    line += ' \u2014 ' + (k.progress.task || '') + ' ' + (u === 'BYTES' ? size(k.progress.done) + ' of ' + size(k.progress.total)
      : k.progress.done + ' of ' + k.progress.total + ' ' + u.toLowerCase());
  }
  if (b.error || b.failure) line = String(b.error || b.failure.message || b.failure);
  $('build-current').textContent = line;

  const req = b.request || {};
  const dl = clear($('build-request'));
  if (b.name) dl.append(h('dt', {}, 'image'), h('dd', {}, String(b.name)));
  for (const [key, v] of Object.entries(req)) {
    if (v === null || v === undefined || v === '' || v === false || (Array.isArray(v) && !v.length)) continue;
    if (key === 'stageExtensions' || key === 'cloudConfig') {
      dl.append(h('dt', {}, key), h('dd', {}, h('pre', { class: 'mini' }, Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n---\n') : String(v))));
    } else {
      dl.append(h('dt', {}, key), h('dd', {}, Array.isArray(v) ? v.join(', ') : (typeof v === 'object' ? JSON.stringify(v) : String(v))));
    }
  }
  for (const [key, v] of [['created', b.createdAt], ['started', b.startedAt], ['finished', b.finishedAt]]) {
    if (v) dl.append(h('dt', {}, key), h('dd', {}, when(v)));
  }

  const tbody = clear($('build-steps'));
  const skipped = [];
  let total = 0;
  for (const s of k.steps.values()) {
    if (s.state === 'skipped') { skipped.push(s.name); continue; }
    if (s.ms !== undefined) total += s.ms;
    tbody.append(h('tr', { class: s.state }, h('td', {}, s.name), h('td', {}, s.state),
      h('td', { class: 'num' }, s.ms !== undefined ? duration(s.ms) : '')));
  }
  if (skipped.length) {
    tbody.append(h('tr', { class: 'skipped' }, h('td', { colspan: 2, title: skipped.join(', ') },
      skipped.length + (skipped.length === 1 ? ' step' : ' steps') + ' skipped: ' + skipped.join(', ')), h('td', {})));
  }
  if (!k.steps.size) tbody.append(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'no step yet')));
  else if (total) tbody.append(h('tr', { class: 'total' }, h('td', { colspan: 2 }, 'all steps'), h('td', { class: 'num' }, duration(total))));

  renderArtifacts(b);
  renderValidate(b.validate || b.validation);
}

function renderArtifacts(b) {
  const tbody = clear($('build-artifacts'));
  const list = b.artifacts || [];
  for (const a of list) {
    const name = a.name || a.path;
    const url = API + '/builds/' + encodeURIComponent(b.id) + '/artifacts/' + encodeURIComponent(name);
    const digest = String(a.sha256 || a.digest || '').replace(/^sha256:/, '');
    tbody.append(h('tr', {},
      h('td', {}, h('a', { href: url, download: name, class: 'download', 'data-name': name, onclick: download }, name)),
      h('td', {}, a.kind || ''),
      h('td', { class: 'num', title: a.size !== undefined ? a.size + ' bytes' : '' }, size(a.size)),
      h('td', { class: 'mono digest', title: digest }, digest)));
  }
  if (!list.length) tbody.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, TERMINAL.includes(b.state) ? 'none' : 'not yet')));
}

/** With a token, a link cannot carry it: fetch the file and hand it over as a blob. */
async function download(ev) {
  if (!token()) return;
  ev.preventDefault();
  const a = ev.currentTarget;
  const r = await fetch(a.href, { headers: headers() });
  if (!r.ok) { banner('Download failed: HTTP ' + r.status); return; }
  const url = URL.createObjectURL(await r.blob());
  const tmp = h('a', { href: url, download: a.getAttribute('download') });
  document.body.append(tmp);
  tmp.click();
  tmp.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function renderValidate(v) {
  const box = clear($('build-validate'));
  if (v === undefined || v === null) {
    box.className = 'muted';
    box.textContent = 'not yet';
    return;
  }
  const valid = v.valid !== undefined ? v.valid : v.ok;
  box.className = valid === false ? 'validate bad' : 'validate ok';
  box.append(h('div', {}, valid === false ? 'The image fails its checks:' : 'The image passes kairos-init\u2019s checks.'));
  const failures = v.failures || v.findings || v.errors || [];
  const text = (f) => (typeof f === 'string' ? f : (f.message || f.check || JSON.stringify(f)));
  if (Array.isArray(failures) && failures.length) {
    box.append(h('ul', {}, failures.map((f) => h('li', {}, text(f)))));
  }
  if (Array.isArray(v.warnings) && v.warnings.length) {
    box.append(h('div', { class: 'muted' }, 'Warnings:'), h('ul', { class: 'warnings' }, v.warnings.map((f) => h('li', {}, text(f)))));
  }
  const checks = v.checks || v.passed;
  if (Array.isArray(checks) && checks.length) {
    box.append(h('details', {}, h('summary', {}, checks.length + ' checks'),
      h('ul', {}, checks.map((c) => h('li', {}, typeof c === 'string' ? c : (c.name || c.check || '') + (c.ok === false || c.passed === false ? ': failed' : ''))))));
  }
}

async function cancelShown() {
  if (!shown) return;
  const button = $('cancel-button');
  button.disabled = true;
  try {
    await api('DELETE', '/builds/' + encodeURIComponent(shown));
  } catch (e) {
    banner('Cancel failed: ' + e.message);
  } finally {
    button.disabled = false;
  }
  refreshBuild(shown);
}

// ---- routing and start ---------------------------------------------------------------------

function route() {
  const m = /^#build\/(.+)$/.exec(location.hash);
  if (m) {
    openBuild(decodeURIComponent(m[1]));
  } else {
    shown = null;
    clearTimeout(logTimer);
    $('build-page').hidden = true;
    $('home').hidden = false;
    refreshBuilds();
  }
}

function start() {
  const t = $('token');
  t.value = token();
  t.addEventListener('change', () => {
    if (t.value) sessionStorage.setItem(TOKEN_KEY, t.value);
    else sessionStorage.removeItem(TOKEN_KEY);
    banner(null);
    loadConfig();
    route();
  });
  $('base').addEventListener('change', () => { if ($('base').value) $('from').value = $('base').value; else $('from').focus(); });
  $('from').addEventListener('input', syncBase);
  $('variant').addEventListener('change', () => {
    const std = $('variant').value === 'standard';
    $('provider').disabled = !std;
    $('provider-version').disabled = !std;
  });
  const ed = $('stage-extension');
  ed.addEventListener('input', scheduleValidate);
  ed.addEventListener('scroll', () => { $('stage-gutter').scrollTop = ed.scrollTop; });
  ed.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') { // YAML wants spaces
      e.preventDefault();
      ed.setRangeText('  ', ed.selectionStart, ed.selectionEnd, 'end');
      scheduleValidate();
    }
  });
  $('build-form').addEventListener('submit', submitBuild);
  $('plan-button').addEventListener('click', previewPlan);
  $('cancel-button').addEventListener('click', cancelShown);
  $('state-filter').addEventListener('change', refreshBuilds);
  window.addEventListener('hashchange', route);
  loadConfig();
  route();
  // New builds from other clients appear within a few seconds; live ones move with their streams.
  setInterval(() => { if (!shown) refreshBuilds(); }, 5000);
}

start();
