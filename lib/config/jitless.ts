import { config } from 'zod';

/**
 * Imported for its effect by the two schema roots (the config and the evidence codec). A run
 * parses each schema a handful of times, and zod's default compiles a parser per object schema
 * at its first parse (new Function): for the config's hundreds of nested objects that compile
 * cost more than every parse of a run together. Interpreted parsing gives the same results.
 */
config({ jitless: true });
