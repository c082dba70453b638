import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-root';
import { CONFIGURATION_DOC, projectReference, renderProjectReference } from '../lib/config/reference/project';

/** `npm run docs:config`: writes docs/configuration.md from the schema, and names settings still undocumented. */
writeFileSync(path.join(PROJECT_ROOT, CONFIGURATION_DOC), renderProjectReference());
const ref = projectReference();
const bare = [...ref.environment, ...ref.sections].filter((r) => !r.description).map((r) => r.path);
console.log(`wrote ${CONFIGURATION_DOC} (${ref.environment.length + ref.sections.length} settings)`);
if (bare.length) console.log(`${bare.length} without a description (a /** comment */ above the setting gives one): ${bare.join(', ')}`);
