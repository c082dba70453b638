// Provider choice: explicit argument, CUTOVER_STACK, else a cheap container-runtime probe.
import { describe, expect, it } from 'vitest';
import { chooseProvider, startStack } from '../../rehearsal/stack/index';
import { containerRuntimeHint, probeContainerRuntime } from '../../rehearsal/stack/docker';
import { useIsolatedTmpdir } from './helpers/env';

useIsolatedTmpdir();
const NO_HINTS = { HOME: '/nonexistent-cutover-home' };
const probe = await probeContainerRuntime();

describe('provider choice', () => {
  // Only where the machine has no socket of its own (as here and in CI): that is the case to prove.
  it.runIf(containerRuntimeHint(NO_HINTS) === null)(
    'with no DOCKER_HOST, socket or properties file, the probe says no without asking testcontainers',
    async () => {
      expect(await probeContainerRuntime(undefined, NO_HINTS)).toEqual({
        ok: false,
        reason: 'no DOCKER_HOST, no docker or podman socket, no ~/.testcontainers.properties',
      });
    },
  );

  it('DOCKER_HOST is a hint: the probe then asks the runtime, and one that does not answer is a no with its reason', async () => {
    expect(containerRuntimeHint({ DOCKER_HOST: 'tcp://127.0.0.1:1' })).toBe('DOCKER_HOST=tcp://127.0.0.1:1');
    const p = await probeContainerRuntime(undefined, { DOCKER_HOST: 'tcp://127.0.0.1:1', HOME: '/nonexistent-cutover-home' });
    expect(p.ok).toBe(false);
    expect(p.ok ? '' : p.reason).not.toContain('no DOCKER_HOST');
  });

  it.runIf(!probe.ok)('auto picks embedded when no container runtime answers, and says why', async () => {
    expect(await chooseProvider('auto', {})).toEqual({
      provider: 'embedded',
      reason: expect.stringMatching(/^no container runtime answers \(.+\)$/),
      auto: true,
    });
    expect(await chooseProvider(undefined, {})).toMatchObject({ provider: 'embedded', auto: true });
  });

  it.runIf(probe.ok)('auto picks docker when a container runtime answers', async () => {
    expect(await chooseProvider('auto', {})).toMatchObject({ provider: 'docker', auto: true });
  });

  it('CUTOVER_STACK overrides auto; an explicit provider overrides CUTOVER_STACK', async () => {
    expect(await chooseProvider(undefined, { CUTOVER_STACK: 'external' })).toEqual({
      provider: 'external',
      reason: 'CUTOVER_STACK',
      auto: false,
    });
    expect(await chooseProvider('auto', { CUTOVER_STACK: 'embedded' })).toMatchObject({ provider: 'embedded', auto: false });
    expect(await chooseProvider('embedded', { CUTOVER_STACK: 'external' })).toMatchObject({
      provider: 'embedded',
      reason: 'requested explicitly',
    });
  });

  it('a bad CUTOVER_STACK is an error that names the valid values', async () => {
    await expect(chooseProvider(undefined, { CUTOVER_STACK: 'dokcer' })).rejects.toThrow(
      /CUTOVER_STACK="dokcer" is not a stack provider: use docker, embedded, external or auto/,
    );
  });

  it.runIf(!probe.ok)('startStack() with auto starts the embedded stack and logs the choice', async () => {
    const saved = process.env.CUTOVER_STACK;
    delete process.env.CUTOVER_STACK;
    const logs: string[] = [];
    try {
      const stack = await startStack({ log: (l) => logs.push(l) });
      try {
        expect(stack.provider).toBe('embedded');
        expect(logs[0]).toMatch(/^stack provider: embedded \(no container runtime answers/);
      } finally {
        await stack.stop();
      }
    } finally {
      if (saved !== undefined) process.env.CUTOVER_STACK = saved;
    }
  });

  it.runIf(!probe.ok)('CUTOVER_STACK=docker without a runtime fails with a clear message (no silent fallback)', async () => {
    const saved = process.env.CUTOVER_STACK;
    process.env.CUTOVER_STACK = 'docker';
    try {
      await expect(startStack({ log: () => undefined })).rejects.toThrow(/docker stack failed to start .*CUTOVER_STACK=embedded/s);
    } finally {
      if (saved === undefined) delete process.env.CUTOVER_STACK;
      else process.env.CUTOVER_STACK = saved;
    }
  });
});
