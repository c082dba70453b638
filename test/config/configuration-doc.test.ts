import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CONFIGURATION_DOC, projectReference, renderProjectReference } from '../../lib/config/reference/project';
import { configurationReference, renderConfigurationReference, staleExamples } from '../../lib/config/reference/render';
import { ROOT } from '../support/run-harness';

describe('docs/configuration.md', () => {
  test('is what the schema and its comments generate today', () => {
    const committed = readFileSync(path.join(ROOT, CONFIGURATION_DOC), 'utf8');
    const fresh = renderProjectReference(ROOT);
    expect(committed === fresh, `${CONFIGURATION_DOC} is out of date: run npm run docs:config and commit it`).toBe(true);
  });

  test('documents the settings that were hard to find, each with a description and an example', () => {
    const rows = [...projectReference(ROOT).environment, ...projectReference(ROOT).sections];
    // Wherever they live: a setting may move to another section, its last segments stay.
    for (const tail of ['migrations.dir', 'stripeApiUrl', 'ci.apiUrl', 'fiveXx.timeField', 'digest.category']) {
      const row = rows.find((r) => r.path === tail || r.path.endsWith(`.${tail}`));
      expect(row, tail).toBeDefined();
      expect(row!.description, row!.path).not.toBe('');
      expect(row!.example, row!.path).toBeDefined();
    }
  });

  test('every example in the generator names a setting that exists', () => {
    expect(staleExamples(projectReference(ROOT))).toEqual([]);
  });

  test('a discriminated union lists its variants, and each variant setting says which one it belongs to', () => {
    const rows = projectReference(ROOT).sections;
    const source = rows.find((r) => r.path === 'preflight.deployedSha.source')!;
    expect(source.type).toBe("'none' | 'header' | 'route' | 'command'");
    expect(source.default).toBe("{ source: 'none' }");
    expect(source.description).toContain("'none': The target exposes no build SHA");
    const field = rows.find((r) => r.path === 'preflight.deployedSha.field')!;
    expect(field.variant).toBe("source: 'route'");
    expect(field.description).toBe('Dotted path to the SHA in its body.');
    expect(field.example).toBe("preflight: { deployedSha: { source: 'route', field: 'build.sha' } }");
    // The tag's example is a whole variant, with the settings it requires.
    expect(source.example).toBe("preflight: { deployedSha: { source: 'header', header: 'x-release-sha' } }");
  });
});

describe('the generator', () => {
  // A schema it has never seen, in two files like lib/config/: a section added by someone else.
  const files = [
    {
      path: '/virtual/config/schema.ts',
      text: [
        "import { z } from 'zod';",
        "import { widgets } from './sections/widgets';",
        'export const sectionsSchema = z.strictObject({ widgets });',
        'export const environmentSchema = z.strictObject({',
        '  /** Where the widgets are served. */',
        '  widgetHost: z.url().optional(),',
        '});',
      ].join('\n'),
    },
    {
      path: '/virtual/config/sections/widgets.ts',
      text: [
        "import { z } from 'zod';",
        '',
        '/** Widgets the target must list. */',
        'export const widgets = z',
        '  .strictObject({',
        '    /**',
        '     * How many widgets a page may hold',
        '     * before the check fails.',
        '     */',
        '    maxPerPage: z.number().int().min(1).default(25),',
        "    mode: z.enum(['strict', 'lenient']).default('strict'),",
        "    label: z.string().describe('Shown on every widget.'),",
        "    source: z.discriminatedUnion('kind', [",
        '      /** Read from a file. */',
        "      z.strictObject({ kind: z.literal('file'), path: z.string() }),",
        "      z.strictObject({ kind: z.literal('none') }),",
        "    ]).default({ kind: 'none' }),",
        '  });',
      ].join('\n'),
    },
  ];
  const widgetsObject = z.strictObject({
    maxPerPage: z.number().int().min(1).default(25),
    mode: z.enum(['strict', 'lenient']).default('strict'),
    label: z.string().describe('Shown on every widget.'),
    source: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('file'), path: z.string() }),
        z.strictObject({ kind: z.literal('none') }),
      ])
      .default({ kind: 'none' }),
  });
  const input = {
    sections: z.strictObject({ widgets: widgetsObject }),
    environment: z.strictObject({ widgetHost: z.url().optional() }),
    files,
    examples: { 'widgets.source.{kind=file}.path': '/var/widgets.json' },
  };

  test('documents a setting added to the schema: path, type, default, description from the comment above it, example', () => {
    const ref = configurationReference(input);
    expect(ref.sections.find((r) => r.path === 'widgets.maxPerPage')).toEqual({
      path: 'widgets.maxPerPage',
      key: 'widgets.maxPerPage',
      variant: undefined,
      type: 'integer (≥ 1)',
      default: '25',
      description: 'How many widgets a page may hold before the check fails.',
      example: 'widgets: { maxPerPage: 25 }',
    });
    expect(ref.sections.find((r) => r.path === 'widgets.mode')).toMatchObject({
      type: "'strict' | 'lenient'",
      example: "widgets: { mode: 'lenient' }",
    });
    expect(ref.sections.find((r) => r.path === 'widgets.label')).toMatchObject({
      default: 'required',
      description: 'Shown on every widget.',
    });
    expect(ref.sections.find((r) => r.path === 'widgets.source.path')).toMatchObject({
      variant: "kind: 'file'",
      example: "widgets: { source: { kind: 'file', path: '/var/widgets.json' } }",
      description: 'Read from a file.',
    });
    expect(ref.sections.find((r) => r.path === 'widgets.source.kind')!.description).toBe("'file': Read from a file.");
    expect(ref.environment).toEqual([
      expect.objectContaining({
        path: 'environments.<env>.widgetHost',
        type: 'URL (optional)',
        description: 'Where the widgets are served.',
      }),
    ]);
  });

  test('follows a namespace import, and reads optional groups, lazy, piped and tuple settings without losing their path', () => {
    const hooksSource = {
      path: '/virtual/config/sections/hooks.ts',
      text: [
        "import { z } from 'zod';",
        'export const hooks = z.strictObject({',
        '  /** Called when a run ends. */',
        '  onEnd: z',
        '    .strictObject({',
        '      /** Where to POST the outcome. */',
        '      url: z.url(),',
        '      retries: z.number().int().default(2),',
        '    })',
        '    .optional(),',
        "  pair: z.tuple([z.string(), z.number()]).default(['a', 1]),",
        '  /** A number written as text. */',
        '  level: z.string().transform(Number).pipe(z.number()),',
        '  /** Resolved late. */',
        '  later: z.lazy(() => z.boolean()).default(true),',
        '});',
      ].join('\n'),
    };
    const schemaSource = {
      path: '/virtual/config/schema.ts',
      text: [
        "import { z } from 'zod';",
        "import * as more from './sections/hooks';",
        'export const sectionsSchema = z.strictObject({ hooks: more.hooks });',
        'export const environmentSchema = z.strictObject({});',
      ].join('\n'),
    };
    const hooks = z.strictObject({
      onEnd: z.strictObject({ url: z.url(), retries: z.number().int().default(2) }).optional(),
      pair: z.tuple([z.string(), z.number()]).default(['a', 1]),
      level: z.string().transform(Number).pipe(z.number()),
      later: z.lazy(() => z.boolean()).default(true),
    });
    const ref = configurationReference({
      sections: z.strictObject({ hooks }),
      environment: z.strictObject({}),
      files: [schemaSource, hooksSource],
    });
    expect(ref.sections.map((r) => [r.path, r.type, r.default, r.description])).toEqual([
      ['hooks.onEnd.url', 'URL', 'required with hooks.onEnd', 'Where to POST the outcome.'],
      ['hooks.onEnd.retries', 'integer', '2', 'Called when a run ends.'],
      ['hooks.pair', '[string, number]', "['a', 1]", ''],
      ['hooks.level', 'string', 'required', 'A number written as text.'],
      ['hooks.later', 'boolean', 'true', 'Resolved late.'],
    ]);
  });

  test('text outside code keeps its angle brackets visible (Markdown would take <host> for an HTML tag)', () => {
    const doc = renderConfigurationReference({
      sections: z.strictObject({ api: z.strictObject({ url: z.url().describe('https://<host>/api, or `<unset>`') }) }),
      environment: z.strictObject({}),
      files: [],
    });
    expect(doc).toContain('| https://&lt;host>/api, or `<unset>` |');
  });

  test('the document gains a section, a row and the section note for the new settings', () => {
    const doc = renderConfigurationReference(input);
    expect(doc).toContain('## widgets\n\nWidgets the target must list.\n');
    expect(doc).toContain(
      '| `widgets.maxPerPage` | integer (≥ 1) | `25` | `widgets: { maxPerPage: 25 }` | How many widgets a page may hold before the check fails. |',
    );
    expect(doc).toContain(
      "| `widgets.source.path`<br>with `kind: 'file'` | string | required | `widgets: { source: { kind: 'file', path: '/var/widgets.json' } }` |",
    );
    // So the committed document is stale as soon as a setting is added: the first test above fails.
    const grown = z.strictObject({ widgets: widgetsObject.extend({ extra: z.boolean().default(false) }) });
    expect(renderConfigurationReference({ ...input, sections: grown })).not.toBe(doc);
  });
});
