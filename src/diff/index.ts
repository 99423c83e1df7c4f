export * from './changes.js';
export { diff } from './diff.js';
export { describeChange } from './describe.js';
export { isBinaryCoercible } from './coercion.js';
export { CHANGE_FAMILY, FAMILIES, type Family } from './order.js';
