// Vitest colours its diffs for terminals; a document wants plain text.
// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * What a failed check says, on the console and in the document: the harness's own sentence.
 * Vitest's assertion tail ("msg: expected [ Array(1) ] to deeply equal []") and its
 * "- Expected + Received" block describe values the sentence already names, and at 2 a.m.
 * they bury it. An assertion without a message of its own keeps chai's sentence: that is all it has.
 */
export function harnessMessage(error: { message?: string; name?: string } | string): string {
  const raw = typeof error === 'string' ? error : (error.message ?? String(error));
  let text = stripAnsi(raw);
  const diff = text.search(/\n\s*- Expected\b/);
  if (diff >= 0) text = text.slice(0, diff);
  text = text.trimEnd();
  const assertion = typeof error !== 'string' && error.name === 'AssertionError';
  if (!assertion) return text;
  // chai joins the message given to expect(x, message) and its own with ": expected …".
  const tail = text.lastIndexOf(': expected ');
  if (tail > 0 && / to (?:not )?\w/.test(text.slice(tail))) return text.slice(0, tail);
  return text;
}
