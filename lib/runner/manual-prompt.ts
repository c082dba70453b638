import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface, type Interface } from 'node:readline/promises';
import { findRow, isRowId, type RowId } from '../runbook/catalogue';
import type { PromptAnswer } from '../manual-rows';

/**
 * The CLI's side of a manual row's prompt. The suites run in a worker thread that has no hold on
 * the terminal, so a check posts its row here and waits; the CLI asks on the operator's terminal,
 * one row at a time, and answers. Local only (127.0.0.1, a random port), and only under a path
 * with a random token that the run hands its worker in memory: another process on the machine
 * could otherwise put its own question on the operator's terminal, or take the prompt a real
 * check is waiting for.
 */
export class ManualPrompt {
  private readonly server: Server;
  private open: { rl: Interface; answer: (a: PromptAnswer) => void; row: string } | undefined;
  private stopped = false;
  private readonly token = randomBytes(16).toString('hex');

  private constructor(
    private readonly owner: string,
    /** Ctrl-C at the prompt reaches readline, not the process: handed on to the run's own handler. */
    private readonly onInterrupt: (row: string) => void,
  ) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const reply = (answer: PromptAnswer) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        let asked: { row?: unknown; todo?: unknown };
        try {
          asked = JSON.parse(body) as typeof asked;
        } catch {
          asked = {};
        }
        if (req.url !== `/${this.token}/confirm`) return void res.writeHead(404).end();
        if (req.method !== 'POST' || typeof asked.row !== 'string' || typeof asked.todo !== 'string') return void res.writeHead(400).end();
        void this.ask(asked.row, asked.todo).then(reply);
      });
    });
  }

  static async start(owner: string, onInterrupt: (row: string) => void): Promise<ManualPrompt> {
    const prompt = new ManualPrompt(owner, onInterrupt);
    await new Promise<void>((resolve) => prompt.server.listen(0, '127.0.0.1', resolve));
    prompt.server.unref();
    return prompt;
  }

  /** The prompt's base URL, token included: `confirm` resolves against it. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${this.token}/`;
  }

  private async ask(row: string, todo: string): Promise<PromptAnswer> {
    if (this.stopped || this.open) return { declined: 'interrupted' };
    if (!isRowId(row)) return { declined: 'interrupted' };
    const { row: known, step } = findRow(row as RowId);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    return new Promise<PromptAnswer>((resolve) => {
      this.open = { rl, answer: resolve, row };
      rl.on('SIGINT', () => this.onInterrupt(row));
      process.stderr.write(`\n  Step ${step.n} — ${step.title} needs a human: ${todo}\n`);
      rl.question(`Confirm as ${this.owner}: [${row}] ${known.label}? (y/N) `).then(
        (answer) =>
          this.settle(
            /^y(es)?$/i.test(answer.trim())
              ? { confirmed: { by: this.owner, at: new Date().toISOString(), how: 'prompt' } }
              : { declined: 'answered N' },
          ),
        () => this.settle({ declined: 'interrupted' }),
      );
    });
  }

  private settle(answer: PromptAnswer): void {
    const open = this.open;
    this.open = undefined;
    open?.rl.close();
    open?.answer(answer);
  }

  /** The row whose prompt is open, if one is. */
  get asking(): string | undefined {
    return this.open?.row;
  }

  /** The run is interrupted: an open prompt is answered so, and no further one is asked. */
  interrupt(): void {
    this.stopped = true;
    if (this.open) process.stderr.write('\n');
    this.settle({ declined: 'interrupted' });
  }

  close(): void {
    this.interrupt();
    this.server.close();
  }
}
