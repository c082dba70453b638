import type { HarnessContext, ManualConfirmation } from './context';

/** A human reads, acts and answers: far longer than any request, yet not for ever. */
export const PROMPT_WAIT_MS = 60 * 60_000;

/** What the CLI answered a prompt with (lib/runner/manual-prompt.ts). */
export type PromptAnswer = { confirmed: ManualConfirmation } | { declined: 'answered N' | 'interrupted' };

/**
 * A manual row's confirmation: given up front (--confirm-manual, the rehearsal), or asked now,
 * at the check that needs it, on the operator's terminal by the CLI. Throws "not confirmed"
 * with what to do and how to confirm it, naming the row, when there is none.
 */
export async function manualConfirmation(harness: HarnessContext, row: string, todo: string): Promise<ManualConfirmation> {
  const given = harness.manual[row];
  if (given) return given;
  let why = 'no terminal to ask in';
  if (harness.manualPrompt) {
    const res = await fetch(new URL('confirm', harness.manualPrompt), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ row, todo }),
      signal: AbortSignal.timeout(PROMPT_WAIT_MS),
    });
    const answer = (await res.json()) as PromptAnswer;
    if ('confirmed' in answer) return answer.confirmed;
    why = answer.declined === 'interrupted' ? 'the run was interrupted at its prompt' : 'answered N at the prompt';
  }
  throw new Error(`${row} not confirmed (${why}): ${todo}, then run again with --confirm-manual=${row} or answer the prompt in a terminal`);
}
