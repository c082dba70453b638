import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-root';
import { RUN_REPORT_SCHEMA_DOC, renderRunReportJsonSchema } from '../reporters/run-report-schema';

/** `npm run docs:schema`: writes the JSON Schema of the run's JSON document from its zod schema. */
writeFileSync(path.join(PROJECT_ROOT, RUN_REPORT_SCHEMA_DOC), renderRunReportJsonSchema());
console.log(`wrote ${RUN_REPORT_SCHEMA_DOC}`);
