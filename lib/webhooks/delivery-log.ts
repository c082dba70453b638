import type { Evidence } from '../evidence';
import type { TargetResponse } from '../http/client';

/**
 * The runbook leaves one blank for "Stripe test delivery status" while the step sends several
 * signed deliveries. The document keeps a row's last value, so each check re-states the whole
 * list so far: whichever check ran last, the blank holds every delivery of the run.
 */
export class DeliveryLog {
  private readonly lines: string[] = [];

  constructor(private readonly row: string) {}

  async record(evidence: Evidence, what: string, res: TargetResponse): Promise<void> {
    this.lines.push(`${what} → ${res.status}${isReplay(res) ? ' (replay)' : ''}`);
    await evidence.value(this.row, this.lines.join(' · '));
  }
}

function isReplay(res: TargetResponse): boolean {
  try {
    return (JSON.parse(res.text) as { replay?: unknown }).replay === true;
  } catch {
    return false;
  }
}
