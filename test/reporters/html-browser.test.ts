// The HTML report in a real browser: Debian's headless Chromium (.ci/run installs it), driven
// through its command line, so no npm package is needed. Each report is rendered from a golden
// run document (a GO and a NO-GO), loaded in a frame of a probe page that reports what a reader
// would see, and screenshotted. `UPDATE_GOLDEN=1` also rewrites docs/report-no-go.png.
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-root';
import type { RunResult } from '../../reporters/model';
import { renderHtml } from '../../reporters/render-html';
import { tempDir } from '../support/run-harness';

const CHROMIUM = 'chromium';
/** A guard against a hung browser, not a measure: a page this size loads in seconds. */
const CHROMIUM_LIMIT_MS = 90_000;

function needChromium(): void {
  const found = spawnSync('sh', ['-c', `command -v ${CHROMIUM}`], { encoding: 'utf8' }).status === 0;
  if (!found) throw new Error(`${CHROMIUM} is not on PATH: apt-get install -y --no-install-recommends chromium (.ci/run does)`);
}

/** One headless Chromium call; on the time limit its whole process group is killed. */
async function chromium(profile: string, args: string[]): Promise<string> {
  const child = spawn(
    CHROMIUM,
    [
      '--headless=new',
      '--disable-gpu',
      '--no-sandbox',
      '--no-first-run',
      '--disable-extensions',
      '--disable-background-networking',
      `--user-data-dir=${profile}`,
      '--window-size=1280,2000',
      ...args,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(killGroup, CHROMIUM_LIMIT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  // Its helpers (zygote, renderer) must not outlive the call.
  killGroup();
  if (code !== 0) throw new Error(`chromium exited with ${code}:\n${stderr.slice(-2000)}`);
  return stdout;
}

/** What the probe page reports for each part of the report a reader must be able to see. */
interface Seen {
  text: string;
  visible: boolean;
  width: number;
}
const PARTS = {
  decision: '#decision h1',
  failingCheck: '#why-no-go .failing-check',
  timeline: '#timeline h2',
  timelineChecks: '#timeline tr.check',
  failedBar: '#timeline tr.check.failed .bar',
};

/** A page with the report in a frame; once it loads, its script writes what is visible into #probe. */
function probePage(report: string): string {
  return `<!doctype html><html><body style="margin:0">
<iframe src="${path.basename(report)}" style="width:1280px;height:2000px;border:0" onload="probe(this)"></iframe>
<pre id="probe"></pre>
<script>
function probe(frame) {
  const doc = frame.contentDocument;
  const seen = (el) => {
    const box = el.getBoundingClientRect();
    return { text: el.textContent.trim(), visible: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && box.width > 0 && box.height > 0, width: box.width };
  };
  const parts = ${JSON.stringify(PARTS)};
  const out = {};
  for (const [name, selector] of Object.entries(parts)) out[name] = [...doc.querySelectorAll(selector)].map(seen);
  document.getElementById('probe').textContent = JSON.stringify(out);
}
</script></body></html>`;
}

async function open(name: 'go' | 'no-go'): Promise<{ run: RunResult; seen: Record<keyof typeof PARTS, Seen[]>; screenshot: string }> {
  needChromium();
  const run = JSON.parse(await readFile(path.join(import.meta.dirname, 'golden', `${name}.json`), 'utf8')) as RunResult;
  const dir = await tempDir(`cutover-browser-${name}`);
  const report = path.join(dir, `${name}-go-no-go.html`);
  const probe = path.join(dir, 'probe.html');
  const screenshot = path.join(dir, `${name}.png`);
  await writeFile(report, renderHtml(run));
  await writeFile(probe, probePage(report));
  // The probe reads its frame's document: Chromium allows that between file:// pages only with this flag.
  const dom = await chromium(path.join(dir, 'profile'), ['--allow-file-access-from-files', '--dump-dom', pathToFileURL(probe).href]);
  const json = /<pre id="probe">([^<]*)<\/pre>/.exec(dom)?.[1];
  if (!json) throw new Error(`the probe page reported nothing; the DOM was:\n${dom.slice(0, 2000)}`);
  const seen = JSON.parse(
    json.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'),
  ) as Record<keyof typeof PARTS, Seen[]>;
  await chromium(path.join(dir, 'profile'), [`--screenshot=${screenshot}`, pathToFileURL(report).href]);
  return { run, seen, screenshot };
}

const ranChecks = (run: RunResult) =>
  run.steps.flatMap((s) =>
    s.status === 'carried' ? [] : s.checks.filter((c) => (c.state === 'passed' || c.state === 'failed') && !c.notApplicable),
  );

async function expectPng(file: string): Promise<void> {
  const bytes = await readFile(file);
  expect(bytes.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a');
  // 1280 × 2000, as asked (width and height are the first fields of the IHDR chunk).
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2000]);
}

describe('the HTML report in headless Chromium', () => {
  test('of a NO-GO run: the decision, the failing check and the timeline with its failed bar are visible', async () => {
    const { run, seen, screenshot } = await open('no-go');
    expect(seen.decision).toEqual([expect.objectContaining({ text: 'Go/No-Go — staging — NO-GO', visible: true })]);
    expect(seen.failingCheck).toEqual([expect.objectContaining({ text: run.blocking!.check.replaceAll('`', ''), visible: true })]);
    expect(seen.timeline).toEqual([expect.objectContaining({ text: 'Timeline', visible: true })]);
    expect(seen.timelineChecks.map((c) => c.visible)).toEqual(ranChecks(run).map(() => true));
    expect(seen.failedBar).toHaveLength(1);
    expect(seen.failedBar[0]!.width).toBeGreaterThan(0);
    await expectPng(screenshot);
    if (process.env.UPDATE_GOLDEN) await copyFile(screenshot, path.join(PROJECT_ROOT, 'docs', 'report-no-go.png'));
  }, 240_000);

  test('of a GO run: the decision and the timeline are visible, and no check is shown as failing', async () => {
    const { run, seen, screenshot } = await open('go');
    expect(seen.decision).toEqual([expect.objectContaining({ text: 'Go/No-Go — staging — GO', visible: true })]);
    expect(seen.failingCheck).toEqual([]);
    expect(seen.failedBar).toEqual([]);
    expect(seen.timeline).toEqual([expect.objectContaining({ visible: true })]);
    expect(seen.timelineChecks.map((c) => c.visible)).toEqual(ranChecks(run).map(() => true));
    await expectPng(screenshot);
  }, 240_000);
});
