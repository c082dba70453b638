// Loaded with `node --import`: every package the process imports (a bare specifier, not a file
// or a built-in) is appended to the file $IMPORT_LOG names, one a line.
import { register } from 'node:module';

register('./import-log-hooks.mjs', import.meta.url);
