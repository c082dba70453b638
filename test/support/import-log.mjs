// Loaded with `node --import`: every package the process imports is appended to the file
// $IMPORT_LOG names, one a line: a bare specifier as itself, and a file of the prebuilt CLI
// (dist/) as `file:<path>`, since packages bundled into it (scripts/build.mjs) are never
// imported by name; light-start.test.ts reads which packages such a file holds.
import { register } from 'node:module';

register('./import-log-hooks.mjs', import.meta.url);
