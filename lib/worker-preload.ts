/**
 * The suites' first setup file: the largest packages a step imports start loading now, while the
 * worker still waits on the CLI for each transformed suite module, instead of one after another
 * when the suite's own imports reach them. A failure here is the importing module's to report.
 */
for (const load of [() => import('undici'), () => import('pg'), () => import('@aws-sdk/client-s3')]) load().catch(() => undefined);
