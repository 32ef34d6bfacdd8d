export * from './types.js';
export * from './errors.js';
export { MessageDecoder, VerdictValidator, type DecoderOptions, type DecodeResult } from './decode.js';
export { loadSchema } from './schemas.js';
export { describeAjvErrors, pointerToPath } from './ajv-errors.js';
