// HcpPlatform admin page: plain JavaScript, no dependencies. The key is kept in sessionStorage (this tab's session
// only) and sent as the X-Api-Key header; it is never put in a URL or written anywhere else.
(() => {
  'use strict';
  const KEY = 'hcp-admin-key';
  const FAST_MS = 2000;
  const SLOW_MS = 10000;
  const $ = (id) => document.getElementById(id);
  const timers = [];
  const number = new Intl.NumberFormat('en-US');

  class ApiError extends Error {
    constructor(status, message, body) { super(message); this.status = status; this.body = body; }
  }

  const key = () => sessionStorage.getItem(KEY);

  async function api(method, path, body) {
    const headers = { 'X-Api-Key': key() || '' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
    const type = response.headers.get('content-type') || '';
    const data = type.includes('json') ? await response.json() : null;
    if (!response.ok) {
      const message = (data && (data.detail || data.title)) || response.statusText;
      if (response.status === 401) forget('The key was refused: ' + message);
      throw new ApiError(response.status, message, data);
    }
    return data;
  }

  function say(text, isError) {
    const m = $('message');
    m.textContent = text || '';
    m.className = isError ? 'error' : '';
  }

  function text(id, value) { $(id).textContent = value === null || value === undefined || value === '' ? '–' : String(value); }

  const time = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', '') : '');

  // ---- key ----
  function useKey(value) {
    sessionStorage.setItem(KEY, value);
    $('key-prefix').textContent = value.slice(0, 12) + '…';
    $('key-form').hidden = true;
    $('key-info').hidden = false;
    $('app').hidden = false;
    start();
  }

  function forget(reason) {
    sessionStorage.removeItem(KEY);
    timers.splice(0).forEach(clearInterval);
    $('key-form').hidden = false;
    $('key-info').hidden = true;
    $('app').hidden = true;
    $('key-input').value = '';
    say(reason || 'Enter an API key to continue.', !!reason);
  }

  // ---- generation status ----
  async function refreshStatus() {
    const s = await api('GET', '/api/admin/generation/status');
    text('mode', s.mode);
    $('mode').dataset.mode = s.mode;
    text('desired-mode', s.desiredMode);
    const w = s.worker;
    text('worker', w.alive ? `${w.id || 'worker'} (${w.observedMode || '?'}, heartbeat ${time(w.heartbeatAt)})` : (w.heartbeatAt ? `not seen since ${time(w.heartbeatAt)}` : 'no worker has reported yet'));
    text('simulated-through', s.simulatedThrough);
    text('lag', s.lagDays === null ? '' : `${s.lagDays} days`);
    text('speed', s.secondsPerSimulatedDay === null ? 'nightly schedule' : `${s.secondsPerSimulatedDay} s per simulated day`);
    const inc = s.lastIncrement;
    text('rows-per-second', [s.rowsPerSecond !== null ? `${number.format(s.rowsPerSecond)} (last day)` : '', `${number.format(s.recentRowsPerSecond)} over the last minute (${s.recentIncrements} days)`].filter(Boolean).join('; '));
    const r = s.lastRun;
    text('last-run', r ? `${r.kind} ${r.status}${r.verdict ? ' (' + r.verdict + ')' : ''}, ${number.format(r.rows)} rows, ${time(r.startedAt)}` : '');
    text('last-error', s.lastError ? `${s.lastError} (${time(s.lastErrorAt)})` : '');
    if (inc && inc.day) $('simulated-through').title = `last day appended: ${inc.day}`;
  }

  async function refreshCounts() {
    const c = await api('GET', '/api/admin/data/counts');
    for (const cell of document.querySelectorAll('[data-table]')) {
      const n = c.tables[cell.dataset.table];
      cell.textContent = n === undefined ? '–' : number.format(n);
    }
    text('count-total', number.format(c.total));
  }

  // ---- chart ----
  function svg(name, attributes, content) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', name);
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
    if (content !== undefined) el.textContent = content;
    return el;
  }

  async function refreshChart() {
    const series = await api('GET', '/api/admin/data/series/response-rate?weeks=26');
    const chart = $('chart');
    chart.replaceChildren();
    const points = series.points;
    if (points.length === 0) {
      chart.append(svg('text', { x: 320, y: 130, 'text-anchor': 'middle', class: 'muted' }, 'No data yet'));
      return;
    }
    const W = 640, H = 260, left = 48, right = 16, top = 16, bottom = 40;
    const max = Math.max(0.05, ...points.map((p) => p.responseRate)) * 1.1;
    const x = (i) => left + (points.length === 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (points.length - 1));
    const y = (v) => top + (1 - v / max) * (H - top - bottom);
    for (let k = 0; k <= 4; k++) {
      const v = (max * k) / 4;
      chart.append(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }));
      chart.append(svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, `${(v * 100).toFixed(0)}%`));
    }
    const label = (i, anchor) => chart.append(svg('text', { x: x(i), y: H - bottom + 18, 'text-anchor': anchor, class: 'axis' }, points[i].weekStart));
    label(0, points.length > 1 ? 'start' : 'middle');
    if (points.length > 1) label(points.length - 1, 'end');
    chart.append(svg('text', { x: (left + W - right) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis' }, 'week of the stimulus (share of stimuli with at least one response)'));
    chart.append(svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.responseRate)}`).join(' '), class: 'line' }));
    points.forEach((p, i) => {
      const dot = svg('circle', { cx: x(i), cy: y(p.responseRate), r: 3, class: 'dot' });
      dot.append(svg('title', {}, `week of ${p.weekStart}: ${(p.responseRate * 100).toFixed(1)}% of ${number.format(p.stimuli)} stimuli`));
      chart.append(dot);
    });
  }

  // ---- validation and runs ----
  async function refreshValidation() {
    let v;
    try {
      v = await api('GET', '/api/admin/validation/latest');
    } catch (e) {
      if (e.status === 404) { text('validation-summary', 'No validation stored yet.'); $('validation-failed').replaceChildren(); return; }
      throw e;
    }
    text('validation-summary', `${v.passed ? 'PASSED' : 'FAILED'}: ${v.checksTotal - v.checksFailed} of ${v.checksTotal} checks passed (${v.trigger}, ${time(v.startedAt)}, ${v.durationMs} ms)`);
    $('validation-summary').className = v.passed ? 'ok' : 'error';
    const list = $('validation-failed');
    list.replaceChildren(...v.checks.filter((c) => !c.passed).map((c) => {
      const li = document.createElement('li');
      li.textContent = `${c.name}: measured ${c.measured}, threshold ${c.threshold} — ${c.description}`;
      return li;
    }));
  }

  async function refreshRuns() {
    const runs = await api('GET', '/api/admin/runs?limit=10');
    $('runs-body').replaceChildren(...runs.map((r) => {
      const tr = document.createElement('tr');
      const rows = r.counts ? Object.values(r.counts).reduce((a, b) => a + Number(b), 0) : '';
      for (const [value, cls] of [[time(r.startedAt)], [r.kind], [r.status], [r.asOf || ''], [rows === '' ? '' : number.format(rows), 'num'], [r.durationMs ?? '', 'num'], [r.verdict || '']]) {
        const td = document.createElement('td');
        td.textContent = value;
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    }));
  }

  async function loadConfig() {
    const c = await api('GET', '/api/admin/generation/config');
    $('cfg-scenario').value = c.scenario;
    $('cfg-speed').value = c.secondsPerSimulatedDay ?? '';
    $('cfg-cron').value = c.schedule.cron;
    $('cfg-tz').value = c.schedule.timeZone;
    $('cfg-events').value = JSON.stringify(c.events, null, 2);
    notes(c.notes);
    if (c.secondsPerSimulatedDay !== null) $('speed-input').value = c.secondsPerSimulatedDay;
  }

  function notes(list) {
    $('cfg-notes').replaceChildren(...list.map((n) => { const li = document.createElement('li'); li.textContent = n; return li; }));
  }

  // ---- interventions ----
  function cell(value, cls) {
    const td = document.createElement('td');
    td.textContent = value;
    if (cls) td.className = cls;
    return td;
  }

  async function refreshInterventions() {
    const list = await api('GET', '/api/admin/interventions');
    $('iv-body').replaceChildren(...list.map((i) => {
      const tr = document.createElement('tr');
      tr.dataset.id = i.id;
      const share = Math.round(i.treatedShare * 100);
      tr.append(cell(i.name), cell(i.type + (i.schedule === 'planned' ? ' (planned)' : '')), cell(i.status, 'iv-status'),
        cell(`${i.start} → ${i.end}`), cell(i.channels.join(', ')), cell(share === 100 ? 'all treated' : `${share}% treated, ${100 - share}% holdout`));
      const actions = document.createElement('td');
      const show = document.createElement('button');
      show.type = 'button';
      show.textContent = 'Details';
      show.className = 'iv-show';
      show.addEventListener('click', () => showIntervention(i.id).catch((e) => say(e.message, true)));
      actions.append(show);
      if (i.status === 'scheduled' || i.status === 'running') {
        const stop = document.createElement('button');
        stop.type = 'button';
        stop.textContent = 'Stop';
        stop.className = 'iv-stop';
        stop.addEventListener('click', () => act(async () => { await api('POST', `/api/admin/interventions/${i.id}/stop`); await refreshInterventions(); }, `Stopped "${i.name}".`));
        actions.append(stop);
      }
      tr.append(actions);
      return tr;
    }));
    if (list.length === 0) {
      const tr = document.createElement('tr');
      const td = cell('No interventions yet.');
      td.colSpan = 7;
      tr.append(td);
      $('iv-body').replaceChildren(tr);
    }
  }

  async function showIntervention(id) {
    const d = await api('GET', `/api/admin/interventions/${id}`);
    const i = d.intervention, c = d.counts;
    $('iv-detail').hidden = false;
    $('iv-detail').dataset.id = id;
    text('iv-detail-title', `${i.name} (${i.type}, ${i.status})`);
    text('iv-detail-counts', `Target population ${number.format(c.treatment + c.control)} HCPs: ${number.format(c.treatment)} treatment, ${number.format(c.control)} control; `
      + `${number.format(c.exposures)} exposures` + (c.plannedTouches > 0 ? `; planned touches ${number.format(c.plannedTouches)} (${number.format(c.realized)} realized, ${number.format(c.rejected)} rejected)` : '') + '.');
    const truth = d.trueEffects;
    $('iv-truth').hidden = !truth;
    if (!truth) {
      text('iv-detail-truth-note', 'No true effects yet: they are computed once the intervention has run on simulated days.');
      $('iv-truth-body').replaceChildren();
      return;
    }
    text('iv-detail-truth-note', `True effects over ${truth.from} → ${truth.through} (${number.format(truth.targetHcps)} HCPs, ${number.format(truth.treatedHcps)} treated): per HCP, the outcome's total with minus without the intervention.`);
    $('iv-truth-body').replaceChildren(...truth.outcomes.map((o) => {
      const tr = document.createElement('tr');
      tr.append(cell(o.outcome), cell(o.ate.toFixed(4), 'num'), cell(o.att.toFixed(4), 'num'), cell(number.format(o.cates.length), 'num'));
      return tr;
    }));
  }

  function splitList(value) {
    return value.split(',').map((v) => v.trim()).filter(Boolean);
  }

  function definitionFromForm() {
    const json = $('iv-json').value.trim();
    if (json) return JSON.parse(json);
    const type = $('iv-type').value;
    const d = {
      name: $('iv-name').value.trim(),
      type,
      channels: [$('iv-channel').value],
      target: { specialties: splitList($('iv-specialties').value), tiers: splitList($('iv-tiers').value) },
      start: $('iv-start').value,
      end: $('iv-end').value,
    };
    if (type === 'test') d.treatedShare = parseFloat($('iv-share').value);
    return d;
  }

  // ---- actions ----
  async function act(work, done) {
    try {
      await work();
      say(done);
      await Promise.allSettled([refreshStatus(), refreshCounts(), refreshRuns()]);
    } catch (e) {
      say(e.message, true);
    }
  }

  function errorsOf(e) {
    return e.body && e.body.errors ? Object.values(e.body.errors).flat().join(' ') : e.message;
  }

  function wire() {
    $('key-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = $('key-input').value.trim();
      if (value) useKey(value);
    });
    $('key-forget').addEventListener('click', () => forget());
    $('start').addEventListener('click', () => {
      const speed = parseFloat($('speed-input').value);
      act(() => api('POST', '/api/admin/generation/start', Number.isFinite(speed) ? { secondsPerSimulatedDay: speed } : {}), 'Started.');
    });
    $('pause').addEventListener('click', () => act(() => api('POST', '/api/admin/generation/pause'), 'Paused.'));
    $('stop').addEventListener('click', () => act(() => api('POST', '/api/admin/generation/stop'), 'Stopped.'));
    $('config-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      let events;
      try {
        events = $('cfg-events').value.trim() ? JSON.parse($('cfg-events').value) : [];
      } catch (e) {
        say('Injected events are not valid JSON: ' + e.message, true);
        return;
      }
      const speed = $('cfg-speed').value.trim();
      try {
        const c = await api('PUT', '/api/admin/generation/config', {
          scenario: $('cfg-scenario').value,
          secondsPerSimulatedDay: speed === '' ? null : parseFloat(speed),
          schedule: { cron: $('cfg-cron').value.trim(), timeZone: $('cfg-tz').value.trim() },
          events,
        });
        notes(c.notes);
        say('Settings saved.');
        refreshStatus();
      } catch (e) {
        say(errorsOf(e), true);
      }
    });
    $('iv-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      let definition;
      try {
        definition = definitionFromForm();
      } catch (e) {
        say('The definition is not valid JSON: ' + e.message, true);
        return;
      }
      try {
        const i = await api('POST', '/api/admin/interventions', definition);
        say(`Defined "${i.name}" (${i.status}); it takes effect from ${i.start} as the days are simulated.`);
        $('iv-json').value = '';
        await refreshInterventions();
      } catch (e) {
        say(errorsOf(e), true);
      }
    });
    $('regen-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { scenario: $('regen-scenario').value, seed: parseInt($('regen-seed').value || '42', 10), confirm: $('regen-confirm').value.trim() };
      if ($('regen-asof').value) body.asOf = $('regen-asof').value;
      try {
        const accepted = await api('POST', '/api/admin/generation/backfill', body);
        say(`Regeneration started (run ${accepted.runId}); see Recent runs.`);
        $('regen-confirm').value = '';
        refreshRuns();
      } catch (e) {
        say(errorsOf(e), true);
      }
    });
  }

  function every(ms, jobs) {
    const run = () => Promise.all(jobs.map((j) => j())).catch((e) => { if (!(e instanceof ApiError && e.status === 401)) say(e.message, true); });
    run();
    timers.push(setInterval(run, ms));
  }

  function start() {
    timers.splice(0).forEach(clearInterval);
    say('');
    loadConfig().catch((e) => say(e.message, true));
    every(FAST_MS, [refreshStatus, refreshCounts]);
    every(SLOW_MS, [refreshChart, refreshValidation, refreshRuns, refreshInterventions]);
  }

  wire();
  if (key()) useKey(key()); else forget();
})();
