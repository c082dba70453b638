import { waitDuration } from './duration';

/** "40/120, 12.5/s, ETA 6 s": a long batch's progress as the console shows it. */
export function progressLine(done: number, total: number, elapsedMs: number, unit = ''): string {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 && done < total ? `, ETA ${waitDuration(((total - done) / rate) * 1000)}` : '';
  return `${done}/${total}${unit}, ${rate.toFixed(1)}/s${eta}`;
}
