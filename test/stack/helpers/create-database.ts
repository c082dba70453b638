// Run as a separate process by test/stack/external.test.ts, to be killed in the middle of it:
//   node --import tsx test/stack/helpers/create-database.ts <server url> <database>
import { createDatabase } from '../../../rehearsal/stack/postgres';

const [serverUrl, name] = process.argv.slice(2);
await createDatabase(serverUrl!, name!);
