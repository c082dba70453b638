// The benchmark's bookkeeping (no timings are asserted anywhere): the phase line it parses,
// the statistics it prints, the doc sections it rewrites, and the process it measures.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kindOf, sampleCpu } from '../../bench/check';
import { renderSection, replaceSection } from '../../bench/docs';
import { measure, spread } from '../../bench/measure';
import { parsePhases } from '../../bench/rehearsal';

describe('bench bookkeeping', () => {
  it("reads each phase from the rehearsal's last Phases line", () => {
    const out = 'cutover: local → …\nPhases: stack 1.9 s · target 2.7 s · steps 13.6 s · document 0.1 s · teardown 0.3 s\n';
    expect(parsePhases(out)).toEqual([
      ['stack', 1900],
      ['target', 2700],
      ['steps', 13600],
      ['document', 100],
      ['teardown', 300],
    ]);
    expect(parsePhases('no phases here')).toEqual([]);
  });

  it('takes the median, min and max of odd and even counts', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });

  it('replaces only its own section between markers and appends a section the doc lacks', () => {
    const section = { name: 'smoke', title: 'Smoke', method: 'how', header: ['a', 'b'], rows: [['1', '2']] };
    const doc = `# B\n\nhand-written\n\n<!-- bench:smoke -->\nold numbers\n<!-- /bench:smoke -->\n\ntail\n`;
    const once = replaceSection(doc, 'smoke', renderSection(section, 'today'));
    expect(once).toContain('hand-written');
    expect(once).toContain('tail');
    expect(once).not.toContain('old numbers');
    expect(once).toContain('| 1 | 2 |');
    expect(replaceSection(once, 'smoke', renderSection(section, 'today'))).toBe(once);
    const appended = replaceSection('# B\n', 'migrate', renderSection({ ...section, name: 'migrate' }, 'today'));
    expect(appended).toMatch(/^# B\n\n<!-- bench:migrate -->\n## Smoke[\s\S]*<!-- \/bench:migrate -->\n$/);
  });

  it("measures a process tree's memory (a child holding 64 MiB counts) and its exit code", async () => {
    const child = `const b = Buffer.alloc(64 * 1024 * 1024, 1); setTimeout(() => process.exit(b[0] === 1 ? 3 : 0), 300);`;
    const parent = `const { spawnSync } = require('node:child_process'); process.exit(spawnSync(process.execPath, ['-e', ${JSON.stringify(child)}]).status);`;
    const m = await measure(process.execPath, ['-e', parent]);
    expect(m.code).toBe(3);
    expect(m.treePeakKiB).toBeGreaterThan(64 * 1024);
  });
});

describe("the check's CPU by kind of process (bench/check.ts)", () => {
  it('tells the harness runs apart by their flags, and names the rest by what they run', () => {
    expect(kindOf('node bin/cutover.mjs --fault=ci-failing --owner=selftest', false)).toBe('harness CLI: fault rehearsals');
    expect(kindOf('/usr/bin/node /x/test/support/harness-batch.mjs', false)).toBe('harness CLI: fault rehearsals (batch processes)');
    expect(kindOf('node bin/cutover.mjs --env=local --base-url=http://127.0.0.1:1 --only=env', false)).toBe(
      'harness CLI: runs against a given base URL',
    );
    expect(kindOf('node bin/cutover.mjs --help', false)).toBe('harness CLI: --help, --version, --list');
    expect(kindOf('node bin/cutover.mjs --owner=selftest', false)).toBe('harness CLI: other runs (rehearsals, staging/prod refusals)');
    expect(kindOf('/usr/bin/node /x/dist/build-1-2/target-main.mjs', false)).toBe('reference target and its worker');
    expect(kindOf('postgres: 15/main: postgres cutover_x 127.0.0.1(5) idle', true)).toBe("machine's Postgres (service)");
    expect(kindOf('/x/node_modules/.bin/prettier --check .', false)).toBe('prettier --check');
  });

  it("sums the CPU of a process the command started, however deep, and leaves others' out", async () => {
    // Busy until it has used 0.4 CPU-s, not 0.4 s of wall time: on a loaded machine a timed loop
    // gets less CPU than the assertion below asks for.
    const busy = 'while (process.cpuUsage().user < 400000);';
    const child = spawn('sh', ['-c', `${process.execPath} -e "${busy}"`], { stdio: 'ignore' });
    const bystander = spawn(process.execPath, ['-e', busy], { stdio: 'ignore' });
    const bystanderDone = new Promise((resolve) => bystander.once('close', resolve));
    const exited = new Promise((resolve) => child.once('close', resolve));
    const procs = await sampleCpu(child.pid!, exited);
    await bystanderDone;
    const node = procs.filter((p) => p.cmd.startsWith(process.execPath) && !p.service);
    expect(node).toHaveLength(1);
    expect(node[0]!.cpu).toBeGreaterThan(0.2);
    expect(procs.filter((p) => !p.service).every((p) => /^sh |^\S*node /.test(p.cmd))).toBe(true);
  });

  it('names a process by what it runs after its exec, not by the command it started as', async () => {
    // Seen first as `sh -c ...`, the same process then becomes node: it counts as node.
    const child = spawn('sh', ['-c', `sleep 0.3; exec ${process.execPath} -e "while (process.cpuUsage().user < 300000);"`], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('close', resolve));
    const procs = await sampleCpu(child.pid!, exited);
    const own = procs.filter((p) => !p.service).map((p) => p.cmd);
    expect(own.filter((cmd) => cmd.startsWith(process.execPath))).toHaveLength(1);
    expect(own.filter((cmd) => cmd.startsWith('sh '))).toEqual([]);
  });
});
