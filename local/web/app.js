// The local page: reads the query API (same routes as deployed) and draws it. Read-only; DOM built with
// textContent only, so nothing from the data is ever parsed as HTML.

const COLORS = {
  hard: '#c2372b',
  soft: '#b36b00',
  complaint: '#7b3fb5',
  delivery: '#2e8540',
  bar: '#1f5fbf',
};

/** The page may be opened with #token=… when the stack listens beyond loopback. */
const token = new URLSearchParams(location.hash.slice(1)).get('token');

async function api(path, init = {}) {
  const headers = { accept: 'application/json' };
  if (init.body) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...init, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.error?.message ?? `HTTP ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function table(headers, rows) {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {},
          row.map((cell) => (cell instanceof Node && cell.tagName === 'TD' ? cell : el('td', {}, cell))),
        ),
      ),
    ),
  );
}

function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

function pill(kind, text) {
  return el('span', { class: `pill ${kind}` }, text);
}

function eventKind(event) {
  if (event.type === 'bounce') return event.verdict ?? 'soft';
  return event.type;
}

function show(container, ...nodes) {
  container.replaceChildren(...nodes);
}

// ---------- status ----------
async function loadStatus() {
  const status = document.getElementById('status');
  try {
    const info = await api('/local/status');
    const dlq = info.queues['ses-bounce-ingest-dlq']?.visible ?? 0;
    status.textContent =
      `Local stack · no authentication on loopback · ${info.suppressionList} on the SES suppression list` +
      (dlq > 0 ? ` · ${dlq} message(s) in the dead-letter queue` : '');
  } catch {
    status.textContent = 'Local stack';
  }
}

// ---------- charts ----------
const charts = {};
function drawChart(id, config) {
  charts[id]?.destroy();
  const canvas = document.getElementById(id);
  config.options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
    ...config.options,
  };
  charts[id] = new window.Chart(canvas, config);
  canvas.dataset.rendered = 'true';
}

function dayRange(from, to) {
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

async function loadCharts() {
  const [byDay, byCategory, byDomain] = await Promise.all([
    api('/stats?groupBy=day'),
    api('/stats?groupBy=category'),
    api('/stats?groupBy=domain&top=100'),
  ]);

  const perDay = new Map(byDay.items.map((item) => [item.key, item.breakdown]));
  const days = dayRange(byDay.from, byDay.to);
  const series = [
    ['Hard bounces', 'hardBounces', COLORS.hard],
    ['Soft bounces', 'softBounces', COLORS.soft],
    ['Complaints', 'complaints', COLORS.complaint],
    ['Deliveries', 'deliveries', COLORS.delivery],
  ];
  drawChart('chart-days', {
    type: 'bar',
    data: {
      labels: days.map((day) => day.slice(5)),
      datasets: series.map(([label, field, color]) => ({
        label,
        data: days.map((day) => perDay.get(day)?.[field] ?? 0),
        backgroundColor: color,
      })),
    },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  const t = byDay.totals;
  const rate =
    t.bounceRate === null ? 'no deliveries recorded' : `bounce rate ${(t.bounceRate * 100).toFixed(1)}%`;
  document.getElementById('chart-days-summary').textContent =
    `${byDay.from} to ${byDay.to}: ${t.hardBounces} hard, ${t.softBounces} soft, ${t.complaints} complaints, ` +
    `${t.deliveries} deliveries; ${rate}` +
    (t.onAccountSuppressionList > 0
      ? `; ${t.onAccountSuppressionList} not sent (already on the SES account suppression list).`
      : '.');
  show(
    document.getElementById('chart-days-table'),
    table(
      ['Day', ...series.map(([label]) => label)],
      days
        .filter((day) => perDay.has(day))
        .map((day) => [day, ...series.map(([, field]) => perDay.get(day)?.[field] ?? 0)]),
    ),
  );

  const categories = byCategory.items.filter((item) => item.count > 0).sort((a, b) => b.count - a.count);
  horizontalBars('chart-categories', categories, 'Bounces', COLORS.bar);
  document.getElementById('chart-categories-summary').textContent =
    categories.length === 0
      ? 'No bounces in the last 30 days.'
      : `Most common: ${categories[0].key} (${categories[0].count}).`;
  show(
    document.getElementById('chart-categories-table'),
    table(
      ['Category', 'Bounces'],
      categories.map((c) => [c.key, c.count]),
    ),
  );

  const domains = byDomain.items
    .map((item) => ({ key: item.key, count: item.breakdown?.bounces ?? 0 }))
    .filter((item) => item.count > 0)
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, 10);
  horizontalBars('chart-domains', domains, 'Bounces', COLORS.hard);
  document.getElementById('chart-domains-summary').textContent =
    domains.length === 0
      ? 'No bounces in the last 30 days.'
      : `Top: ${domains[0].key} (${domains[0].count}).`;
  show(
    document.getElementById('chart-domains-table'),
    table(
      ['Domain', 'Bounces'],
      domains.map((d) => [d.key, d.count]),
    ),
  );
}

function horizontalBars(id, items, label, color) {
  drawChart(id, {
    type: 'bar',
    data: {
      labels: items.map((item) => item.key),
      datasets: [{ label, data: items.map((item) => item.count), backgroundColor: color }],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { ticks: { autoSkip: false, font: { size: 11 } } },
      },
    },
  });
}

// ---------- recent events ----------
let nextCursor = null;
let currentQuery = '';
// Each section shows only the answer to its latest request, whatever order the answers arrive in.
const latest = { events: 0, lookup: 0, explain: 0 };

function eventRows(items) {
  return items.map((event) => [
    el('td', { class: 'time' }, formatTime(event.occurredAt)),
    el(
      'td',
      {},
      pill(eventKind(event), event.type === 'bounce' ? `${event.verdict ?? '?'} bounce` : event.type),
    ),
    el('td', {}, lookupLink(event.email)),
    event.code ?? '—',
    event.category ?? (event.type === 'complaint' ? (event.complaintFeedbackType ?? '') : ''),
    event.decision?.action && event.decision.action !== 'none' ? event.decision.action : '',
  ]);
}

function lookupLink(email) {
  const button = el('button', { type: 'button', class: 'link', 'data-email': email }, email);
  button.addEventListener('click', () => {
    document.getElementById('lookup-email').value = email;
    lookup(email);
    document.getElementById('lookup-title').scrollIntoView({ behavior: 'smooth' });
  });
  return button;
}

async function loadEvents(append) {
  const result = document.getElementById('events-result');
  const more = document.getElementById('events-more');
  if (!append) {
    const form = new FormData(document.getElementById('events-form'));
    const params = new URLSearchParams({ limit: '25' });
    for (const [name, value] of form) if (value) params.set(name, String(value).trim());
    currentQuery = params.toString();
    nextCursor = null;
  }
  const params = new URLSearchParams(currentQuery);
  if (append && nextCursor) params.set('cursor', nextCursor);
  const ticket = ++latest.events;
  try {
    const page = await api(`/bounces?${params}`);
    if (ticket !== latest.events) return;
    nextCursor = page.nextCursor;
    const headers = ['When', 'Type', 'Recipient', 'Code', 'Category', 'Action'];
    if (append) {
      result
        .querySelector('tbody')
        ?.append(...table(headers, eventRows(page.items)).querySelector('tbody').children);
    } else if (page.items.length === 0) {
      show(result, el('p', { class: 'muted' }, 'No events match.'));
    } else {
      show(result, table(headers, eventRows(page.items)));
    }
    more.hidden = !nextCursor;
  } catch (error) {
    if (ticket !== latest.events) return;
    show(result, el('p', { class: 'error' }, error.message));
    more.hidden = true;
  }
}

// ---------- published events ----------
/** What a published event says beyond its type and recipient, in a few words. */
function publishedSummary(detail) {
  const parts = [
    detail.reason,
    detail.cause,
    detail.category,
    detail.code,
    detail.action,
    detail.sesRemoval,
    detail.feedbackType,
    detail.actor,
    detail.error,
    detail.dryRun ? 'dry run' : null,
  ];
  return parts.filter((part) => typeof part === 'string' && part !== '').join(' · ');
}

async function loadPublished() {
  const result = document.getElementById('published-result');
  try {
    const { events, failures } = await api('/local/events');
    const newest = [...events].reverse().slice(0, 50);
    const nodes = [];
    if (failures.length > 0) {
      nodes.push(el('p', { class: 'error' }, `${failures.length} stream batch(es) could not be published.`));
    }
    if (newest.length === 0) nodes.push(el('p', { class: 'muted' }, 'Nothing published yet.'));
    else {
      nodes.push(
        table(
          ['When', 'Detail type', 'Recipient', 'Detail', 'Event id'],
          newest.map((event) => [
            el('td', { class: 'time' }, formatTime(event.time)),
            event['detail-type'],
            el('td', {}, lookupLink(event.detail.email)),
            publishedSummary(event.detail),
            el('td', { class: 'mono' }, event.detail.eventId.slice(0, 12)),
          ]),
        ),
      );
      if (events.length > newest.length) nodes.push(el('p', { class: 'muted' }, `${events.length} in all.`));
    }
    show(result, ...nodes);
  } catch (error) {
    show(result, el('p', { class: 'error' }, error.message));
  }
}

// ---------- recipient lookup ----------
async function lookup(email) {
  const result = document.getElementById('lookup-result');
  show(result, el('p', { class: 'muted' }, 'Looking up…'));
  const ticket = ++latest.lookup;
  try {
    const r = await api(`/recipients/${encodeURIComponent(email.trim())}`);
    if (ticket !== latest.lookup) return;
    const suppression = r.suppression;
    const facts = el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Send status'),
      el('dd', {}, el('span', { class: `send-status ${r.sendStatus}`, id: 'send-status' }, r.sendStatus)),
      el('dt', {}, 'Counts'),
      el(
        'dd',
        {},
        `${r.counts.hard} hard · ${r.counts.soft} soft · ${r.counts.complaints} complaints · ${r.counts.deliveries} deliveries` +
          (r.counts.onAccountSuppressionList > 0
            ? ` · ${r.counts.onAccountSuppressionList} not sent (on the SES account suppression list)`
            : ''),
      ),
      el('dt', {}, 'Soft-bounce streak'),
      el('dd', {}, String(r.softBounceStreak)),
      el('dt', {}, 'Our suppression'),
      el(
        'dd',
        {},
        suppression
          ? `${suppression.state} (${suppression.reason ?? suppression.action}, ${suppression.cause ?? 'no cause'}) since ${formatTime(suppression.since)}`
          : 'none',
      ),
      el('dt', {}, 'SES list'),
      el(
        'dd',
        {},
        r.sesSuppression.listed === null
          ? `not checked (${r.sesSuppression.checked})`
          : r.sesSuppression.listed
            ? `listed (${r.sesSuppression.reason})`
            : 'not listed',
      ),
      el('dt', {}, 'First / last event'),
      el('dd', {}, `${formatTime(r.firstEventAt)} / ${formatTime(r.lastEventAt)}`),
    );
    const history = r.latestEvents.length
      ? table(
          ['When', 'Type', 'Code', 'Category', 'Decision'],
          r.latestEvents.map((event) => [
            el('td', { class: 'time' }, formatTime(event.occurredAt)),
            el(
              'td',
              {},
              pill(eventKind(event), event.type === 'bounce' ? `${event.verdict ?? '?'} bounce` : event.type),
            ),
            event.code ?? '—',
            event.category ?? event.audit?.action ?? '',
            event.decision?.reason ?? event.audit?.detail ?? '',
          ]),
        )
      : el('p', { class: 'muted' }, 'No events.');
    show(
      result,
      el('h3', {}, r.emailDisplay ?? r.email),
      facts,
      el('h4', {}, 'History'),
      el('div', { class: 'table-wrap' }, history),
    );
  } catch (error) {
    if (ticket !== latest.lookup) return;
    show(
      result,
      el(
        'p',
        { class: error.status === 404 ? 'muted' : 'error' },
        error.status === 404 ? 'Never seen: no events for this address.' : error.message,
      ),
    );
  }
}

// ---------- explain a code ----------
const CODE_PATTERN = /^[245]\.\d{1,3}\.\d{1,3}$/;

function explanationNodes(x) {
  const causes =
    Array.isArray(x.typicalCauses) && x.typicalCauses.length
      ? el(
          'ul',
          { class: 'tight' },
          x.typicalCauses.map((cause) => el('li', {}, cause)),
        )
      : '—';
  return [
    el('h3', { id: 'explain-heading' }, `${x.code} · ${x.title ?? 'unknown'}`),
    el('p', {}, x.meaning ?? ''),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'In registry'),
      el('dd', {}, x.known ? `yes${x.rfc ? ` (${x.rfc})` : ''}` : 'no'),
      el('dt', {}, 'Typical causes'),
      el('dd', {}, causes),
      el('dt', {}, 'What to do'),
      el('dd', {}, x.whatToDo ?? '—'),
      x.guideCorrection ? el('dt', {}, 'Note') : null,
      x.guideCorrection ? el('dd', {}, x.guideCorrection) : null,
    ),
  ];
}

/** A code is explained from the registry; anything else is classified as a diagnostic (POST /classify). */
async function explain(input) {
  const result = document.getElementById('explain-result');
  const ticket = ++latest.explain;
  const text = input.trim();
  try {
    if (CODE_PATTERN.test(text)) {
      const x = await api(`/codes/${encodeURIComponent(text)}`);
      if (ticket !== latest.explain) return;
      show(result, ...explanationNodes(x));
      return;
    }
    const c = await api('/classify', { method: 'POST', body: JSON.stringify({ diagnosticCode: text }) });
    const x = c.code ? await api(`/codes/${encodeURIComponent(c.code)}`) : null;
    if (ticket !== latest.explain) return;
    const verdict = el(
      'dl',
      { class: 'facts', id: 'classification' },
      el('dt', {}, 'Verdict'),
      el('dd', {}, pill(c.verdict, c.verdict), ` ${c.category} · blame: ${c.blame}`),
      el('dt', {}, 'Suppress?'),
      el('dd', {}, c.suppress ? 'yes: this alone justifies suppressing the address' : 'no'),
      el('dt', {}, 'Why'),
      el('dd', {}, c.evidence),
    );
    show(
      result,
      el('h3', {}, 'Classified as the processor would'),
      verdict,
      ...(x ? explanationNodes(x) : []),
    );
  } catch (error) {
    if (ticket !== latest.explain) return;
    show(result, el('p', { class: 'error' }, error.message));
  }
}

// ---------- wiring ----------
/** The category filter offers what the API accepts: the enum of `GET /bounces`'s `category` in its OpenAPI document. */
async function fillCategoryFilter() {
  const openapi = await api('/openapi.json');
  const parameter = openapi.paths['/bounces'].get.parameters.find((p) => p.name === 'category');
  const select = document.getElementById('category-filter');
  for (const category of parameter.schema.enum) select.append(el('option', { value: category }, category));
}

function init() {
  fillCategoryFilter().catch((error) => console.error('category filter:', error));
  document.getElementById('events-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadEvents(false);
  });
  document.getElementById('events-more').addEventListener('click', () => loadEvents(true));
  document.getElementById('published-refresh').addEventListener('click', () => loadPublished());
  document.getElementById('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    lookup(document.getElementById('lookup-email').value);
  });
  document.getElementById('explain-form').addEventListener('submit', (event) => {
    event.preventDefault();
    explain(document.getElementById('explain-code').value);
  });
  loadStatus();
  loadEvents(false);
  loadPublished();
  loadCharts().catch((error) => {
    document.getElementById('chart-days-summary').textContent = `Charts unavailable: ${error.message}`;
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
