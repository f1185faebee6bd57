// Drives the dashboard in a real Chromium (playwright-core, /usr/bin/chromium)
// while tests/browser_test.cc runs the bundled example on simulated agents,
// one of whose agents it holds still with SIGSTOP: the page shows that
// workstream running, its details show its log, and once this script sends
// SIGCONT the log grows, the run ends and every node turns completed. Prints
// one line per check that held; any failed wait or check throws (exit 1).
// Screenshots go to the artefacts folder.
//
//   node dashboard_scenario.mjs TOOLS_DIR URL HELD_WORKSTREAM HELD_PID ARTEFACTS_DIR
import { createRequire } from 'node:module';
import path from 'node:path';

const [tools, url, held, heldPid, artefacts] = process.argv.slice(2);
const { chromium } = createRequire(path.join(tools, 'node_modules', 'index.js'))('playwright-core');
const TIMEOUT_MS = 60000;
const COMPLETED_FILL = '#a8dda0';

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('response', (response) => { if (response.status() >= 400) errors.push(response.status() + ' ' + response.url()); });
  const node = (id) => `#graph g.node[data-id="${id}"]`;
  // Every node's status and fill at one moment (the page redraws the graph whole).
  const nodes = () => page.$$eval('#graph g.node', (groups) => Object.fromEntries(groups.map((group) =>
    [group.dataset.id, { status: group.dataset.status, fill: group.querySelector('polygon, ellipse, path').getAttribute('fill') }])));
  const log = () => page.$eval('#log', (pre) => pre.textContent);

  await page.goto(url);
  await page.waitForSelector(`${node(held)}[data-status="running"]`);
  await page.waitForFunction(() => document.body.dataset.runState === 'running');
  const first = await nodes();
  console.log(`${held} running (fill ${first[held].fill})`);
  await page.screenshot({ path: path.join(artefacts, 'dashboard-running.png') });

  await page.click(node(held));
  await page.waitForFunction((id) => document.getElementById('details-title').textContent.startsWith(id), held);
  // The orchestrator writes the attempt's first lines before it starts the agent.
  await page.waitForFunction((id) => document.getElementById('log').textContent.includes(`${id} attempt 1 on`), held);
  // Acceptance tests run once the agent has exited: none while it is stopped.
  check(!(await log()).includes('orchestra: acceptance test'), 'the held agent ended while stopped');
  console.log(`details of ${held} open, its log shows its start`);
  await page.screenshot({ path: path.join(artefacts, 'dashboard-details.png') });

  process.kill(Number(heldPid), 'SIGCONT');
  await page.waitForFunction((id) => {
    const text = document.getElementById('log').textContent;
    return text.includes(`sim agent: ${id} done`) && text.includes('orchestra: acceptance test passed');
  }, held);
  console.log(`released: the log grew to ${held} done and its acceptance tests`);

  await page.waitForFunction(() => document.body.dataset.runState === 'completed');
  await page.waitForFunction(() => document.getElementById('count-completed').textContent === '39');
  await page.waitForFunction(() => [...document.querySelectorAll('#graph g.node')].every((g) => g.dataset.status === 'completed'));
  const last = await nodes();
  const ids = Object.keys(last);
  check(ids.every((id) => last[id].fill === COMPLETED_FILL), 'a completed node is not filled ' + COMPLETED_FILL);
  console.log(`run completed: ${ids.length} of 39 completed, every node filled ${COMPLETED_FILL}`);
  const unchanged = ids.filter((id) => first[id].status !== 'completed' && first[id].fill === last[id].fill);
  check(unchanged.length === 0, 'these kept their fill: ' + unchanged.join(' '));
  console.log(`every node not completed at first changed its fill, ${held} from ${first[held].fill}`);

  await page.click('#close-details');
  const bars = await page.$$eval('#lanes rect.bar', (rects) => rects.length);
  console.log(`lanes: ${bars} attempt bars`);
  await page.screenshot({ path: path.join(artefacts, 'dashboard-finished.png') });
  console.log(errors.length ? 'page errors: ' + errors.join(' | ') : 'no page errors');
} finally {
  await browser.close();
}
