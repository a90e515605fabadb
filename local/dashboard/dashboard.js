// The local dashboard's page script (served by DashboardServer as /dashboard.js, uPlot beside it under /vendor/).
// Charts poll /api/history once a second; alarms /api/alarms; windows and alerts arrive as server-sent events.
'use strict';

const COLORS = ['#58a6ff', '#3fb950', '#d2a8ff', '#f0883e', '#ff7b72', '#79c0ff', '#e3b341', '#56d4dd'];
const THRESHOLD_COLOR = '#f85149';
const MUTED = '#8b98a5';
const GRID = '#26323e';
const charts = new Map();

/** 1234 → "1.2k", 0.0123 → "0.012": short enough for an axis. */
function format(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const size = Math.abs(value);
  if (size >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (size >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  if (size >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  if (size >= 10 || Number.isInteger(value)) return value.toFixed(0);
  if (size >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/**
 * Draws (or updates) one uPlot chart: x is the samples' clock time, y is labelled
 * with its unit; a series with `threshold` is the objective, drawn dashed.
 * A chart whose series change (a new route, a new DLQ) is built again.
 */
function chart(id, yLabel, xs, series) {
  const element = document.getElementById(id);
  if (!element) return;
  element.dataset.yLabel = yLabel;
  const key = series.map((s) => s.label).join('\u0000');
  const data = [xs, ...series.map((s) => s.values)];
  const existing = charts.get(id);
  if (existing && existing.key === key) {
    existing.plot.setData(data);
    return;
  }
  if (existing) existing.plot.destroy();
  const options = {
    width: Math.max(300, element.clientWidth),
    height: 190,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    axes: [
      {
        stroke: MUTED,
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID, width: 1 },
        label: 'time (clock)',
        labelSize: 16,
        size: 34,
        space: 70,
        font: '11px system-ui',
        labelFont: '11px system-ui',
        // One line per tick, the wall clock (uPlot's default adds a second line with the date, which the label overlaps).
        values: (_u, ticks) => ticks.map((tick) => clock(tick * 1000)),
      },
      {
        stroke: MUTED,
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID, width: 1 },
        label: yLabel,
        labelSize: 16,
        size: 48,
        font: '11px system-ui',
        labelFont: '11px system-ui',
        values: (_u, values) => values.map(format),
      },
    ],
    series: [
      { label: 'time', value: (_u, v) => (v === null || v === undefined ? '–' : clock(v * 1000)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.threshold ? THRESHOLD_COLOR : COLORS[i % COLORS.length],
        width: s.threshold ? 1 : 1.6,
        dash: s.threshold ? [6, 4] : undefined,
        // A second without a batch has no p95 (null): the line joins its neighbours rather than leave lone dots.
        spanGaps: s.spanGaps === true,
        points: { show: false },
        value: (_u, v) => format(v),
      })),
    ],
    cursor: { drag: { x: false, y: false } },
  };
  charts.set(id, { key, plot: new uPlot(options, data, element) });
}

window.addEventListener('resize', () => {
  for (const [id, { plot }] of charts) plot.setSize({ width: Math.max(300, document.getElementById(id).clientWidth), height: 190 });
});

/**
 * A template logical id as a legend reads it: CDK's hash suffix and the event
 * source's long name go (`AggregatorFunctionKinesisEventSourceTributaryEventsStream…` → `Aggregator ← Kinesis`).
 */
function shortName(id) {
  const mapping = /^(\w+?)Function(Kinesis|DynamoDB)EventSource/.exec(id);
  if (mapping) return `${mapping[1]} ← ${mapping[2] === 'DynamoDB' ? 'table stream' : 'Kinesis'}`;
  const bare = id.replace(/[0-9A-F]{8}$/, '');
  const queue = /^(\w+?)DeadLetterQueue$/.exec(bare);
  if (queue) return `${queue[1]} DLQ`;
  return bare.replace(/Function$/, '') || id;
}

/** A schedule's key (`<rule id>→<function id>`) by its function's short name: `Audit`, `Clock`. */
function scheduleName(key) {
  return shortName(key.slice(key.indexOf('→') + 1));
}

/** The keys that any sample of `pick` holds, sorted: one series each. */
function keysOf(samples, pick) {
  return [...new Set(samples.flatMap((s) => Object.keys(pick(s) || {})))].sort();
}

/** A share over the 60 s up to each sample: a second holding only late events must not read 100 %. */
function rollingShare(samples, part, rest) {
  return samples.map((sample) => {
    let partSum = 0;
    let all = 0;
    for (const other of samples) {
      if (other.atMs > sample.atMs || other.atMs <= sample.atMs - 60_000) continue;
      partSum += part(other);
      all += part(other) + rest(other);
    }
    return all > 0 ? (100 * partSum) / all : null;
  });
}

function renderHeadline(lastMinute, thresholds, samples) {
  const target = document.getElementById('headline');
  if (!lastMinute) return;
  const last = samples[samples.length - 1];
  const dlq = last ? Object.values(last.dlqDepth || {}).reduce((a, b) => a + b, 0) : 0;
  const figure = (label, value, unit, breach) => `<div class="figure${breach ? ' breach' : ''}"><b>${value}${unit ? ` <small>${unit}</small>` : ''}</b><span>${label}</span></div>`;
  const pct = (v) => (v === null ? '–' : v.toFixed(2));
  const t = thresholds || {};
  target.innerHTML = [
    figure(`events counted · last ${lastMinute.seconds} s`, format(lastMinute.eventsCounted), ''),
    figure('late-event rate · last minute', pct(lastMinute.lateEventRatePercent), '%', lastMinute.lateEventRatePercent > t.lateEventRatePercent),
    figure('consumer lag p95 · last minute', format(lastMinute.consumerLagP95Ms), 'ms', lastMinute.consumerLagP95Ms > t.consumerLagP95Ms),
    figure('batch duration p95 · last minute', format(lastMinute.batchDurationP95Ms), 'ms', lastMinute.batchDurationP95Ms > t.batchDurationP95Ms),
    figure('duplicate rate · last minute', pct(lastMinute.duplicateRatePercent), '%', lastMinute.duplicateRatePercent > t.duplicateRatePercent),
    figure('windows finalised · last minute', format(lastMinute.windowsFinalized), ''),
    figure('API requests · last minute', format(lastMinute.requests), '', false),
    figure('5XX · last minute', format(lastMinute.serverErrors), '', lastMinute.serverErrors > 0),
    figure('function errors · last minute', format(lastMinute.functionErrors), '', lastMinute.functionErrors > 0),
    figure('scheduled runs failed · last minute', format(lastMinute.scheduleFailures), '', lastMinute.scheduleFailures > 0),
    figure('max iterator age · last minute', format(lastMinute.maxIteratorAgeMs), 'ms'),
    figure('DLQ messages now', format(dlq), '', dlq > 0),
  ].join('');
}

function renderCharts(samples, thresholds) {
  const xs = samples.map((s) => s.atMs / 1000);
  const t = thresholds || {};
  const perKey = (pick, suffix = '', name = (key) => key) =>
    keysOf(samples, pick).map((key) => ({ label: `${name(key)}${suffix}`, values: samples.map((s) => pick(s)?.[key] ?? null) }));
  const line = (label, value) => ({ label, threshold: true, values: samples.map(() => value) });

  chart('chart-requests', 'requests / s', xs, perKey((s) => s.requestsPerSecond));
  chart('chart-http-errors', 'answers / s', xs, [
    ...perKey((s) => s.clientErrorsPerSecond, ' 4XX'),
    ...perKey((s) => s.serverErrorsPerSecond, ' 5XX'),
  ]);
  chart('chart-records', 'records / s', xs, perKey((s) => s.recordsPerSecondByMapping, '', shortName));
  chart('chart-errors', 'errors / s', xs, perKey((s) => s.errorsPerSecondByFunction, '', shortName));
  chart('chart-schedules', 'invocations / s', xs, [
    ...perKey((s) => s.scheduleTicksPerSecond, ' runs', scheduleName),
    ...perKey((s) => s.scheduleFailedAttemptsPerSecond, ' failed', scheduleName),
  ]);
  chart('chart-iterator-age', 'ms behind tip', xs, perKey((s) => s.iteratorAgeMsByMapping, '', shortName));
  chart('chart-dlq', 'messages', xs, perKey((s) => s.dlqDepth, '', shortName));
  chart('chart-lag', 'ms (p95 per second)', xs, [
    { label: 'consumer lag p95', spanGaps: true, values: samples.map((s) => s.consumerLagP95Ms) },
    line(`objective ${format(t.consumerLagP95Ms)} ms`, t.consumerLagP95Ms),
  ]);
  chart('chart-batch', 'ms (p95 per second)', xs, [
    { label: 'batch duration p95', spanGaps: true, values: samples.map((s) => s.batchDurationP95Ms) },
    line(`objective ${format(t.batchDurationP95Ms)} ms`, t.batchDurationP95Ms),
  ]);
  chart('chart-late-rate', '% of events', xs, [
    { label: 'late ÷ (late + counted)', values: rollingShare(samples, (s) => s.lateEventsPerSecond, (s) => s.eventsCountedPerSecond) },
    line(`objective ${t.lateEventRatePercent} %`, t.lateEventRatePercent),
  ]);
  chart('chart-duplicate-rate', '% of events', xs, [
    { label: 'dropped ÷ (counted + dropped)', values: rollingShare(samples, (s) => s.duplicatesDroppedPerSecond, (s) => s.eventsCountedPerSecond) },
    line(`objective ${t.duplicateRatePercent} %`, t.duplicateRatePercent),
  ]);
  chart('chart-counts', 'per second', xs, [
    { label: 'events counted', values: samples.map((s) => s.eventsCountedPerSecond) },
    { label: 'late events', values: samples.map((s) => s.lateEventsPerSecond) },
    { label: 'duplicates dropped', values: samples.map((s) => s.duplicatesDroppedPerSecond) },
    { label: 'windows finalised', values: samples.map((s) => s.windowsFinalizedPerSecond) },
  ]);
  chart('chart-lag-per-metric', 'ms (p95 per second)', xs, [
    ...perKey((s) => s.consumerLagP95MsByMetric).map((series) => ({ ...series, spanGaps: true })),
    line(`objective ${format(t.consumerLagP95Ms)} ms`, t.consumerLagP95Ms),
  ]);
  chart('chart-watermark', 'ms behind the clock', xs, perKey((s) => s.watermarkDelayMsByMetric).map((series) => ({ ...series, spanGaps: true })));
}

async function refreshHistory() {
  const statusEl = document.getElementById('status');
  try {
    const { status, samples, lastMinute, thresholds } = await (await fetch('/api/history', { cache: 'no-store' })).json();
    statusEl.textContent = status.deadEmulators.length ? `✗ ${status.deadEmulators.join(', ')} down` : status.hostRunning ? '● up' : '○ function host restarting';
    statusEl.style.color = status.deadEmulators.length ? 'var(--bad)' : status.hostRunning ? 'var(--ok)' : 'var(--warn)';
    document.getElementById('api').textContent = `${status.apiUrl}${status.hostRestarts ? ` · host restarts ${status.hostRestarts}` : ''}`;
    const last = samples[samples.length - 1];
    document.getElementById('clock').textContent = last ? `pipeline clock ${clock(last.atMs)}` : '';
    renderHeadline(lastMinute, thresholds, samples);
    renderCharts(samples, thresholds);
  } catch {
    statusEl.textContent = '✗ pipeline not reachable';
    statusEl.style.color = 'var(--bad)';
  }
}

/** CloudWatch's ComparisonOperator as a symbol. */
const COMPARISONS = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

const SEVERITY_ORDER = { critical: 0, warning: 1, none: 2 };
const STATE_ORDER = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2, NOT_EVALUATED: 3 };

async function refreshAlarms() {
  try {
    const { evaluated, alarms } = await (await fetch('/api/alarms', { cache: 'no-store' })).json();
    const target = document.getElementById('alarms');
    if (!evaluated) {
      target.innerHTML = '<p class="note">Waiting for the function host\'s first report of its alarm states.</p>';
      document.getElementById('alarms-summary').textContent = '';
      return;
    }
    const sorted = [...alarms].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.alarmName.localeCompare(b.alarmName));
    const count = (state) => alarms.filter((a) => a.state === state).length;
    document.getElementById('alarms-summary').textContent = `${alarms.length} alarms · ${count('ALARM')} in alarm · ${count('OK')} OK · ${count('INSUFFICIENT_DATA')} insufficient data · ${count('NOT_EVALUATED')} not evaluated offline`;
    const period = (seconds) => (seconds >= 60 ? `${format(seconds / 60)} min` : `${seconds} s`);
    target.innerHTML = `<table><thead><tr><th>State</th><th>Severity</th><th>Alarm</th><th>Metric</th><th>Fires when</th><th>Period (AWS · offline)</th><th>Datapoints</th><th class="num">Last value</th><th>Reason</th></tr></thead><tbody>${sorted
      .map(
        (a) => `<tr data-alarm="${escapeHtml(a.alarmName)}" data-state="${escapeHtml(a.state)}" title="${escapeHtml(a.description)}">
          <td><span class="state state-${escapeHtml(a.state)}">${escapeHtml(a.state)}</span></td>
          <td>${escapeHtml(a.severity)}</td><td>${escapeHtml(a.alarmName)}</td><td>${escapeHtml(a.metricLabel)}</td>
          <td>${escapeHtml(COMPARISONS[a.comparison] ?? a.comparison)} ${format(a.threshold)}</td>
          <td>${period(a.periodSeconds)} · ${period(a.offlinePeriodSeconds)}</td>
          <td>${a.datapointsToAlarm} of ${a.evaluationPeriods}</td>
          <td class="num">${a.lastValue === undefined ? '–' : format(a.lastValue)}</td>
          <td>${escapeHtml(a.reason)}${a.stateChangedAtMs ? ` <span class="muted">(since ${clock(a.stateChangedAtMs)})</span>` : ''}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  } catch {
    // The history refresh shows the pipeline as unreachable; the table keeps its last state.
  }
}

// ——— Alerts and business metrics: server-sent events ———
let alertsConfigured = false;
let alerts = [];
const metrics = new Map();

function renderAlerts() {
  const target = document.getElementById('alerts');
  if (!alertsConfigured) {
    target.innerHTML = '<p class="note">No alerts configured: the stack has no <code>MetricAlertTopicArn</code> output.</p>';
    return;
  }
  if (alerts.length === 0) {
    target.innerHTML = '<p class="note">No <code>metric-alert</code> yet.</p>';
    return;
  }
  const cell = (value) => (value === undefined || value === null ? '–' : typeof value === 'object' ? escapeHtml(JSON.stringify(value)) : escapeHtml(value));
  // The event of functions/alerts: state raised | resolved, the alert's name, its window, value, comparison and threshold, `at` when it was raised.
  target.innerHTML = `<table><thead><tr><th>State</th><th>Metric</th><th>Alert</th><th>Group</th><th>Window</th><th class="num">Value</th><th>Fires when</th><th class="num">Events</th><th>At</th></tr></thead><tbody>${alerts
    .map((a) => {
      const raised = a.state === 'raised';
      return `<tr data-alert="${cell(a.transitionId)}"><td><span class="state ${raised ? 'state-ALARM' : 'state-OK'}">${cell(a.state)}</span></td><td>${cell(a.metric)}</td><td>${cell(a.alert)}</td><td>${cell(a.group)}</td><td>${typeof a.windowStart === 'number' && typeof a.windowEnd === 'number' ? `${clock(a.windowStart)}–${clock(a.windowEnd)}` : '–'}</td><td class="num">${cell(a.value)}</td><td>${cell(a.comparison)} ${cell(a.threshold)}</td><td class="num">${cell(a.eventCount)}</td><td>${typeof a.at === 'number' ? clock(a.at) : '–'}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

function valueText(value) {
  if (value === null || value === undefined) return '–';
  // Quantiles in their order (p50, p90, p99), whatever order the JSON carried them in.
  if (typeof value === 'object') return Object.entries(value).sort(([a], [b]) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''))).map(([q, v]) => `${escapeHtml(q)} ${v === null ? '–' : escapeHtml(Number(v).toLocaleString())}`).join(' · ');
  return escapeHtml(Number.isInteger(value) ? value.toLocaleString() : value.toLocaleString(undefined, { maximumFractionDigits: 3 }));
}

function renderMetric(name, flash) {
  const metric = metrics.get(name);
  let card = document.querySelector(`section[data-metric="${CSS.escape(name)}"]`);
  if (!card) {
    card = document.createElement('section');
    card.className = 'wide';
    card.dataset.metric = name;
    document.getElementById('business').appendChild(card);
  }
  const windows = [...metric.windows.values()].sort((a, b) => a.group.localeCompare(b.group) || b.windowStart - a.windowStart);
  const head = `<h3>${escapeHtml(name)} <span class="muted">· ${escapeHtml(metric.window)} · ${metric.windows.size} windows</span></h3>`;
  if (windows.length === 0) {
    card.innerHTML = `${head}<p class="note">No window yet: send events of this metric.</p>`;
    return;
  }
  const aggregations = metric.aggregations.length ? metric.aggregations : [...new Set(windows.flatMap((w) => Object.keys(w.values)))];
  card.innerHTML = `${head}<table><thead><tr><th>Group</th><th>Window</th><th>State</th><th class="num">Events</th><th class="num">Late</th>${aggregations
    .map((a) => `<th class="num">${escapeHtml(a)}</th>`)
    .join('')}<th>Received</th></tr></thead><tbody>${windows
    .map(
      (w) => `<tr data-group="${escapeHtml(w.group)}" data-window-start="${w.windowStart}"${flash && flash === `${w.group}\u0000${w.windowStart}` ? ' class="updated"' : ''}>
        <td>${escapeHtml(w.group || '(all)')}</td><td>${clock(w.windowStart)}–${clock(w.windowEnd)}</td>
        <td class="state state-${w.state}" data-state="${w.state}">${w.state}</td>
        <td class="num" data-field="eventCount">${w.eventCount.toLocaleString()}</td><td class="num" data-field="lateEvents">${w.lateEvents.toLocaleString()}</td>
        ${aggregations.map((a) => `<td class="num" data-aggregation="${escapeHtml(a)}">${valueText(w.values[a])}</td>`).join('')}
        <td class="muted">${clock(w.receivedAtMs)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function applyWindow(view) {
  let metric = metrics.get(view.metric);
  if (!metric) {
    metric = { window: 'not declared here', aggregations: [], windows: new Map() };
    metrics.set(view.metric, metric);
  }
  const key = `${view.group}\u0000${view.windowStart}`;
  if (view.deleted) metric.windows.delete(key);
  else metric.windows.set(key, view);
  renderMetric(view.metric, key);
}

function follow() {
  const live = document.getElementById('windows-live');
  const source = new EventSource('/api/windows/stream');
  source.addEventListener('snapshot', (event) => {
    const snapshot = JSON.parse(event.data);
    metrics.clear();
    document.getElementById('business').innerHTML = '';
    for (const metric of snapshot.metrics) {
      metrics.set(metric.name, { window: metric.window, aggregations: metric.aggregations, windows: new Map(metric.windows.map((w) => [`${w.group}\u0000${w.windowStart}`, w])) });
      renderMetric(metric.name);
    }
    live.innerHTML = '(live from <code>count-value-updated</code> · connected)';
  });
  source.addEventListener('window', (event) => applyWindow(JSON.parse(event.data)));
  source.addEventListener('alerts', (event) => {
    const view = JSON.parse(event.data);
    alertsConfigured = view.configured;
    alerts = view.alerts;
    renderAlerts();
  });
  source.addEventListener('alert', (event) => {
    alerts = [JSON.parse(event.data), ...alerts].slice(0, 50);
    renderAlerts();
  });
  // The browser reconnects by itself (the server asks for 2 s); a new snapshot then replaces the view.
  source.onerror = () => {
    live.innerHTML = '(live from <code>count-value-updated</code> · reconnecting…)';
  };
}

refreshHistory();
refreshAlarms();
follow();
setInterval(refreshHistory, 1000);
setInterval(refreshAlarms, 2000);
