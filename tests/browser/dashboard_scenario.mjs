// Drives the dashboard in a real Chromium (playwright-core, /usr/bin/chromium)
// while tests/browser_test.cc holds a run: first runs and writes its log, then
// is released, and second follows. Prints one line per check that held; any
// failed wait throws (exit 1). Screenshots go to the artefacts folder.
//
//   node dashboard_scenario.mjs TOOLS_DIR URL PROJECT_DIR ARTEFACTS_DIR
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [tools, url, project, artefacts] = process.argv.slice(2);
const { chromium } = createRequire(path.join(tools, 'node_modules', 'index.js'))('playwright-core');
const TIMEOUT_MS = 30000;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('response', (response) => { if (response.status() >= 400) errors.push(response.status() + ' ' + response.url()); });
  const node = (id) => `#graph g.node[data-id="${id}"]`;
  const fill = (id) => page.$eval(node(id), (group) => group.querySelector('polygon, ellipse, path').getAttribute('fill'));

  await page.goto(url);
  await page.waitForSelector(`${node('first')}[data-status="running"]`);
  await page.waitForSelector(`${node('second')}[data-status="pending"]`);
  await page.waitForFunction(() => document.getElementById('count-running').textContent === '1');
  console.log(`first running (fill ${await fill('first')}), second pending (fill ${await fill('second')})`);

  await page.click(node('first'));
  await page.waitForFunction(() => document.getElementById('log').textContent.includes('first line'));
  console.log('details of first open, its log shows: first line');
  await page.screenshot({ path: path.join(artefacts, 'dashboard-running.png'), fullPage: true });

  fs.writeFileSync(path.join(project, 'control', 'first.go'), '');
  await page.waitForFunction(() => document.getElementById('log').textContent.includes('second line'));
  console.log('the log grew: second line');

  fs.writeFileSync(path.join(project, 'control', 'first.release'), '');
  await page.waitForSelector(`${node('first')}[data-status="completed"]`);
  await page.waitForSelector(`${node('second')}[data-status="completed"]`);
  await page.waitForFunction(() => document.getElementById('count-completed').textContent === '2');
  await page.waitForFunction(() => document.body.dataset.runState === 'completed');
  console.log(`both completed (fills ${await fill('first')} ${await fill('second')}), run completed`);
  await page.click('#close-details');
  const bars = await page.$$eval('#lanes rect.bar', (rects) => rects.map((rect) => rect.dataset.workstream).sort());
  console.log(`lanes: ${bars.join(' ')}`);
  await page.screenshot({ path: path.join(artefacts, 'dashboard-finished.png'), fullPage: true });
  console.log(errors.length ? 'page errors: ' + errors.join(' | ') : 'no page errors');
} finally {
  await browser.close();
}
