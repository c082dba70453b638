import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../project-root';
import { environmentSchema, sectionsSchema } from '../schema';
import { configurationReference, renderConfigurationReference, type ReferenceInput } from './render';
import type { SourceFile } from './source-comments';

export const CONFIGURATION_DOC = 'docs/configuration.md';

/** schema.ts and every file under sections/ (subfolders too): a new section file is read without being named here. */
export function schemaSources(root = PROJECT_ROOT): SourceFile[] {
  const dir = path.join(root, 'lib/config');
  const sections = readdirSync(path.join(dir, 'sections'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(dir, 'sections', f));
  return [path.join(dir, 'schema.ts'), ...sections].map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
}

const projectInput = (root: string): ReferenceInput => ({
  sections: sectionsSchema,
  environment: environmentSchema,
  files: schemaSources(root),
});

export const projectReference = (root = PROJECT_ROOT) => configurationReference(projectInput(root));

export const renderProjectReference = (root = PROJECT_ROOT) => renderConfigurationReference(projectInput(root));
