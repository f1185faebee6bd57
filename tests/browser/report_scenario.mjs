// Opens two HTML reports of `orchestra report` in a real Chromium
// (playwright-core, /usr/bin/chromium), for tests/browser_test.cc: one written
// while the run was in progress with HELD_WORKSTREAM held running, one of the
// finished run. Counts each one's Gantt bars against the attempts its table
// lists, checks that nothing but the file itself is loaded, and takes the
// finished report's screenshot. Prints one line per check that held; any
// failed check throws (exit 1).
//
//   node report_scenario.mjs TOOLS_DIR LIVE_REPORT FINISHED_REPORT HELD_WORKSTREAM ARTEFACTS_DIR
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [tools, liveReport, finishedReport, held, artefacts] = process.argv.slice(2);
const { chromium } = createRequire(path.join(tools, 'node_modules', 'index.js'))('playwright-core');

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = [];
  const loaded = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('request', (request) => loaded.push(request.url()));

  /** The report's run line, its Gantt bars (workstream and state of each) and the attempts its table lists. */
  async function open(file) {
    await page.goto(pathToFileURL(file).href);
    return page.evaluate(() => ({
      run: document.getElementById('run-line').textContent.split(' (')[0],
      bars: [...document.querySelectorAll('#run-gantt g.bar-group')].map((group) => ({
        title: group.querySelector('title').textContent,
        rects: group.querySelectorAll('rect.bar').length,
      })),
      attempts: document.querySelectorAll('#workstreams .attempt').length,
      rows: document.querySelectorAll('#workstreams tbody tr').length,
      failures: document.querySelectorAll('#failures article').length,
    }));
  }

  const live = await open(liveReport);
  check(live.bars.every((bar) => bar.rects === 1), 'a bar group without exactly one bar');
  check(live.bars.length === live.attempts, `live: ${live.bars.length} bars, ${live.attempts} attempts listed`);
  const heldBars = live.bars.filter((bar) => bar.title.startsWith(held + '\n'));
  check(heldBars.length === 1 && heldBars[0].title.includes('\nrunning'), `live: ${held}'s bar is not running`);
  console.log(`live report: ${live.run}, one bar per attempt listed, ${held}'s bar running`);

  const finished = await open(finishedReport);
  check(finished.bars.length === finished.attempts, `${finished.bars.length} bars, ${finished.attempts} attempts listed`);
  check(finished.bars.every((bar) => !bar.title.includes('\nrunning')), 'a bar still running');
  console.log(`finished report: ${finished.run}, ${finished.bars.length} bars, one per attempt listed, ` +
    `${finished.rows} workstream rows, ${finished.failures} failures`);
  await page.screenshot({ path: path.join(artefacts, 'report.png') });

  const others = loaded.filter((url) => url !== pathToFileURL(liveReport).href && url !== pathToFileURL(finishedReport).href);
  check(others.length === 0, 'loaded: ' + others.join(' '));
  check(errors.length === 0, 'page errors: ' + errors.join(' | '));
  console.log('nothing but the file was loaded, no page errors');
} finally {
  await browser.close();
}
